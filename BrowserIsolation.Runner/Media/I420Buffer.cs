namespace BrowserIsolation.Runner.Media;

/// <summary>
/// A reusable, pinned I420 picture laid out over the even-rounded size: Y stride = width rounded up to even,
/// chroma stride = half of it, chroma planes of (height + 1) / 2 rows. This is what libvpx's <c>vpx_img_wrap</c>
/// makes of the even-rounded size, so the encoder reads it in place (then <c>vpx_img_set_rect</c> sets the visible size).
/// </summary>
public sealed class I420Buffer
{
    private byte[] _data = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public int StrideY => (Width + 1) & ~1;

    public int StrideUV => StrideY / 2;

    public int ChromaWidth => (Width + 1) / 2;

    public int ChromaHeight => (Height + 1) / 2;

    public int OffsetU => StrideY * ((Height + 1) & ~1);

    public int OffsetV => OffsetU + StrideUV * ChromaHeight;

    public int Length => OffsetV + StrideUV * ChromaHeight;

    /// <summary>Pinned for the buffer's lifetime, so native code may hold its address between calls.</summary>
    public byte[] Data => _data;

    public Span<byte> PlaneY => _data.AsSpan(0, OffsetU);

    public Span<byte> PlaneU => _data.AsSpan(OffsetU, StrideUV * ChromaHeight);

    public Span<byte> PlaneV => _data.AsSpan(OffsetV, StrideUV * ChromaHeight);

    /// <summary>Sets the picture size; reallocates only when the picture grows. Returns true when the storage moved.</summary>
    public bool Resize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        if (_data.Length >= Length)
        {
            return false;
        }
        _data = GC.AllocateUninitializedArray<byte>(Length, pinned: true);
        return true;
    }
}
