using System.Buffers;
using System.Globalization;
using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// One side of a proxied connection: a socket with a read buffer, so that bytes read past a head (or a chunk) are
/// never lost, and every transfer bounded and reported to the <see cref="IdleWatch"/>.
/// </summary>
internal sealed class ProxyStream : IDisposable
{
    private const int MaxChunkLine = 4096;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly IdleWatch _watch;
    private readonly byte[] _buffer;
    private int _start;
    private int _end;

    public ProxyStream(Socket socket, IdleWatch watch, int bufferSize)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _watch = watch;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public Socket Socket => _socket;

    public IdleWatch Watch => _watch;

    private int Buffered => _end - _start;

    /// <summary>
    /// Reads up to and including the blank line ending a head. Leading empty lines are skipped (RFC 9112 2.2).
    /// Returns null when the peer closes before sending anything.
    /// </summary>
    public async Task<byte[]?> ReadHeadAsync(int maxBytes, CancellationToken ct)
    {
        var scanned = 0;
        while (true)
        {
            while (Buffered >= 2 && _buffer[_start] == '\r' && _buffer[_start + 1] == '\n')
            {
                _start += 2;
            }
            var span = _buffer.AsSpan(_start, Buffered);
            var end = span[Math.Max(0, scanned - 3)..].IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                end += Math.Max(0, scanned - 3) + 4;
                var head = span[..end].ToArray();
                _start += end;
                return head;
            }
            scanned = Buffered;
            if (Buffered >= maxBytes)
            {
                throw new HttpHeadException(431, "Request head too large.");
            }
            if (!await FillAsync(ct))
            {
                if (Buffered == 0)
                {
                    return null;
                }
                throw new HttpHeadException(400, "Connection closed in the middle of a head.");
            }
        }
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        _watch.Touch();
        return _stream.WriteAsync(data, ct);
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes; a shorter stream is an error.</summary>
    public async Task CopyExactAsync(ProxyStream to, long count, CancellationToken ct)
    {
        while (count > 0)
        {
            if (Buffered == 0 && !await FillAsync(ct))
            {
                throw new IOException("Connection closed before the announced body length.");
            }
            var n = (int)Math.Min(count, Buffered);
            await to.WriteAsync(_buffer.AsMemory(_start, n), ct);
            _start += n;
            count -= n;
        }
    }

    /// <summary>Copies until the peer closes its sending side.</summary>
    public async Task CopyToEndAsync(ProxyStream to, CancellationToken ct)
    {
        while (Buffered > 0 || await FillAsync(ct))
        {
            await to.WriteAsync(_buffer.AsMemory(_start, Buffered), ct);
            _start = _end = 0;
        }
    }

    /// <summary>Relays a chunked body verbatim, parsing only enough to know where it ends.</summary>
    public async Task CopyChunkedAsync(ProxyStream to, CancellationToken ct)
    {
        while (true)
        {
            var line = await CopyLineAsync(to, ct);
            var semicolon = line.IndexOf(';');
            var sizeText = (semicolon < 0 ? line : line[..semicolon]).Trim(' ', '\t');
            if (sizeText.Length is 0 or > 15 || !long.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw new InvalidDataException("Malformed chunk size.");
            }
            if (size == 0)
            {
                // Trailer fields, then the blank line.
                while ((await CopyLineAsync(to, ct)).Length > 0)
                {
                }
                return;
            }
            await CopyExactAsync(to, size, ct);
            if (await CopyLineAsync(to, ct) != "")
            {
                throw new InvalidDataException("Chunk data longer than its size.");
            }
        }
    }

    /// <summary>Half-closes our sending side so the peer sees end of stream (tunnel relay).</summary>
    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Closes without losing what we sent: closing a socket with unread input makes Linux send RST, and the peer may
    /// then drop the response it has not read yet. So stop sending, drain briefly, then close.
    /// </summary>
    public async Task CloseGracefullyAsync()
    {
        ShutdownSend();
        using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            long total = 0;
            while (total < 1 << 20)
            {
                var n = await _stream.ReadAsync(_buffer, drain.Token);
                if (n == 0)
                {
                    break;
                }
                total += n;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task<string> CopyLineAsync(ProxyStream to, CancellationToken ct)
    {
        while (true)
        {
            var span = _buffer.AsSpan(_start, Buffered);
            var lf = span.IndexOf((byte)'\n');
            if (lf >= 0)
            {
                if (lf == 0 || span[lf - 1] != '\r')
                {
                    throw new InvalidDataException("Bare LF in chunked framing.");
                }
                var line = System.Text.Encoding.Latin1.GetString(span[..(lf - 1)]);
                await to.WriteAsync(_buffer.AsMemory(_start, lf + 1), ct);
                _start += lf + 1;
                return line;
            }
            if (Buffered >= MaxChunkLine)
            {
                throw new InvalidDataException("Chunk line too long.");
            }
            if (!await FillAsync(ct))
            {
                throw new IOException("Connection closed inside chunked framing.");
            }
        }
    }

    private async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, Buffered);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            return true; // full: the caller consumes before asking again
        }
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
        if (n == 0)
        {
            return false;
        }
        _watch.Touch();
        _end += n;
        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
