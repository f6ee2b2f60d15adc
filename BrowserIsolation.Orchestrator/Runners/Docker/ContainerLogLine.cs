using System.Buffers.Binary;
using System.Text;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>One line a container wrote, and whether it went to stderr.</summary>
public sealed record ContainerLogLine(bool IsStdErr, string Text)
{
    public override string ToString() => IsStdErr ? "stderr: " + Text : Text;

    /// <summary>
    /// Splits a logs body into lines. Without a TTY the daemon multiplexes stdout and stderr into frames, each with an
    /// 8-byte header: stream (1 stdout, 2 stderr), three zero bytes, payload length (big-endian uint32).
    /// </summary>
    internal static async Task<List<ContainerLogLine>> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        var bytes = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        var lines = new List<ContainerLogLine>();
        if (!LooksMultiplexed(bytes))
        {
            var raw = new List<byte>(bytes.Length);
            raw.AddRange(bytes);
            TakeLines(lines, raw, isStdErr: false, flush: true);
            return lines;
        }

        // A line may span frames: keep the unfinished bytes of each stream (split on '\n' bytes, never inside UTF-8).
        var stdout = new List<byte>();
        var stderr = new List<byte>();
        var offset = 0;
        while (offset + 8 <= bytes.Length)
        {
            var isStdErr = bytes[offset] == 2;
            var length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(bytes.Slice(offset + 4, 4)), (uint)(bytes.Length - offset - 8));
            var pending = isStdErr ? stderr : stdout;
            pending.AddRange(bytes.Slice(offset + 8, length));
            TakeLines(lines, pending, isStdErr, flush: false);
            offset += 8 + length;
        }
        TakeLines(lines, stdout, isStdErr: false, flush: true);
        TakeLines(lines, stderr, isStdErr: true, flush: true);
        return lines;
    }

    private static bool LooksMultiplexed(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= 8 && bytes[0] <= 2 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0;

    private static void TakeLines(List<ContainerLogLine> lines, List<byte> pending, bool isStdErr, bool flush)
    {
        var start = 0;
        int newline;
        while ((newline = pending.IndexOf((byte)'\n', start)) >= 0)
        {
            lines.Add(Line(pending, start, newline - start, isStdErr));
            start = newline + 1;
        }
        if (flush && start < pending.Count)
        {
            lines.Add(Line(pending, start, pending.Count - start, isStdErr));
            start = pending.Count;
        }
        pending.RemoveRange(0, start);
    }

    private static ContainerLogLine Line(List<byte> bytes, int start, int count, bool isStdErr) =>
        new(isStdErr, Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes).Slice(start, count)).TrimEnd('\r'));
}
