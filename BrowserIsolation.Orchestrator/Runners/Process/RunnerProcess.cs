using System.Collections.Concurrent;

namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>A runner process we started: its output (kept short for error messages) and readiness.</summary>
internal sealed class RunnerProcess(string id, System.Diagnostics.Process process, string workDir)
{
    private readonly ConcurrentQueue<string> _tail = new();

    public string Id { get; } = id;

    public System.Diagnostics.Process Process { get; } = process;

    public int Pid { get; } = process.Id;

    /// <summary>True once it exited, or once another stop disposed the Process.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return Process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public string WorkDir { get; } = workDir;

    public RunnerInstance? Instance { get; set; }

    public volatile bool Stopping;

    /// <summary>Completes with the runner's control URL once it prints its ready line.</summary>
    public TaskCompletionSource<string> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Tail() => string.Join(" | ", _tail);

    /// <summary>Reads a stream to its end (so the runner never blocks on a full pipe), watching for the ready line.</summary>
    public async Task PumpAsync(StreamReader reader, ILogger logger, string? readyMarker = null)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                if (readyMarker is not null && line.StartsWith(readyMarker, StringComparison.Ordinal))
                {
                    Ready.TrySetResult(line[readyMarker.Length..].Trim());
                    continue;
                }
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }
                _tail.Enqueue(line.Trim());
                while (_tail.Count > 12)
                {
                    _tail.TryDequeue(out _);
                }
                logger.LogDebug("[{RunnerId}] {Line}", Id, line);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // the process ended
        }
    }
}
