using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>One line a container wrote, and whether it went to stderr.</summary>
public sealed record ContainerLogLine(bool IsStdErr, string Text)
{
    public override string ToString() => IsStdErr ? "stderr: " + Text : Text;

    /// <summary>The last <paramref name="tail"/> lines the container wrote to stdout and stderr.</summary>
    public static async Task<List<ContainerLogLine>> TailAsync(IContainerOperations containers, string id, int tail, CancellationToken cancellationToken)
    {
        var parameters = new ContainerLogsParameters { ShowStdout = true, ShowStderr = true, Tail = tail.ToString(CultureInfo.InvariantCulture) };
        using var logs = await containers.GetContainerLogsAsync(id, tty: false, parameters, cancellationToken);
        return await ReadAsync(logs, cancellationToken);
    }

    /// <summary>Splits the streams into lines; a line may span frames, so each stream keeps its unfinished bytes.</summary>
    internal static async Task<List<ContainerLogLine>> ReadAsync(MultiplexedStream logs, CancellationToken cancellationToken)
    {
        var lines = new List<ContainerLogLine>();
        var stdout = new List<byte>();
        var stderr = new List<byte>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            MultiplexedStream.ReadResult read;
            try
            {
                read = await logs.ReadOutputAsync(buffer, 0, buffer.Length, cancellationToken);
            }
            catch (EndOfStreamException)
            {
                break; // a frame cut short (the container went mid-write): keep what arrived whole
            }
            if (read.EOF)
            {
                break;
            }
            var isStdErr = read.Target == MultiplexedStream.TargetStream.StandardError;
            var pending = isStdErr ? stderr : stdout;
            pending.AddRange(buffer.AsSpan(0, read.Count));
            TakeLines(lines, pending, isStdErr, flush: false);
        }
        TakeLines(lines, stdout, isStdErr: false, flush: true);
        TakeLines(lines, stderr, isStdErr: true, flush: true);
        return lines;
    }

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
