using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace BrowserIsolation.Runner.Cdp;

/// <summary>An event from Chromium; <see cref="SessionId"/> names the attached target (flattened sessions).</summary>
public sealed record CdpEvent(string Method, JsonElement Params, string? SessionId);

public sealed class CdpException(string method, string message) : Exception($"{method}: {message}")
{
    public string Method { get; } = method;
}

/// <summary>
/// Raw CDP over Chromium's <c>--remote-debugging-pipe</c>: NUL-delimited JSON, one writer, one reader thread.
/// No driver in between: this is the hot path for frames and input.
/// </summary>
public sealed class CdpConnection : IAsyncDisposable
{
    private readonly FileStream _writer;
    private readonly FileStream _reader;
    private readonly Lock _writeLock = new();
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ILogger _logger;
    private long _nextId;

    private sealed record Pending(string Method, TaskCompletionSource<JsonElement> Completion);

    public CdpConnection(SafeFileHandle commandWriter, SafeFileHandle eventReader, ILogger logger)
    {
        _logger = logger;
        _writer = new FileStream(commandWriter, FileAccess.Write, bufferSize: 0);
        _reader = new FileStream(eventReader, FileAccess.Read, bufferSize: 0);
        new Thread(ReadLoop) { IsBackground = true, Name = "cdp-reader" }.Start();
    }

    /// <summary>Raised on the reader thread, in order. Handlers must not block, and must Clone() what they keep of Params.</summary>
    public event Action<CdpEvent>? EventReceived;

    /// <summary>Completes when Chromium closes the pipe (it exited or crashed).</summary>
    public Task Closed => _closed.Task;

    public async Task<JsonElement> SendAsync(string method, object? parameters = null, string? sessionId = null,
        CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new Pending(method, new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[id] = pending;
        try
        {
            Write(id, method, parameters, sessionId);
            using var registration = cancellationToken.Register(() => pending.Completion.TrySetCanceled(cancellationToken));
            return await pending.Completion.Task.ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends without waiting for the answer (frame acks, input); failures are logged.</summary>
    public void Post(string method, object? parameters = null, string? sessionId = null)
    {
        Write(Interlocked.Increment(ref _nextId), method, parameters, sessionId);
    }

    private void Write(long id, string method, object? parameters, string? sessionId)
    {
        if (_closed.Task.IsCompleted)
        {
            throw new CdpException(method, "the browser connection is closed");
        }
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("method", method);
            if (sessionId is not null)
            {
                json.WriteString("sessionId", sessionId);
            }
            json.WritePropertyName("params");
            if (parameters is null)
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
            else
            {
                JsonSerializer.Serialize(json, parameters, parameters.GetType(), CdpJson.Options);
            }
            json.WriteEndObject();
        }
        buffer.Write([(byte)0]);
        lock (_writeLock)
        {
            try
            {
                _writer.Write(buffer.WrittenSpan);
            }
            catch (IOException ex)
            {
                throw new CdpException(method, $"the browser connection is closed ({ex.Message})");
            }
        }
    }

    private void ReadLoop()
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var read = _reader.Read(buffer, filled, buffer.Length - filled);
                if (read == 0)
                {
                    break;
                }
                var scanFrom = filled;
                filled += read;
                var start = 0;
                int end;
                while ((end = Array.IndexOf(buffer, (byte)0, Math.Max(start, scanFrom), filled - Math.Max(start, scanFrom))) >= 0)
                {
                    Dispatch(buffer.AsMemory(start, end - start));
                    start = end + 1;
                }
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                    filled -= start;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            _logger.LogDebug(ex, "CDP pipe read ended");
        }
        finally
        {
            _closed.TrySetResult();
            foreach (var pending in _pending.Values)
            {
                pending.Completion.TrySetException(new CdpException(pending.Method, "the browser connection closed"));
            }
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.TryGetProperty("id", out var idElement) && idElement.TryGetInt64(out var id))
            {
                var error = root.TryGetProperty("error", out var e) ? e.TryGetProperty("message", out var m) ? m.GetString() : e.GetRawText() : null;
                if (!_pending.TryRemove(id, out var pending))
                {
                    if (error is not null)
                    {
                        _logger.LogDebug("CDP command {Id} failed: {Error}", id, error);
                    }
                    return;
                }
                if (error is not null)
                {
                    pending.Completion.TrySetException(new CdpException(pending.Method, error));
                    return;
                }
                pending.Completion.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                return;
            }
            if (root.TryGetProperty("method", out var method))
            {
                var sessionId = root.TryGetProperty("sessionId", out var s) ? s.GetString() : null;
                var parameters = root.TryGetProperty("params", out var p) ? p : default;
                EventReceived?.Invoke(new CdpEvent(method.GetString()!, parameters, sessionId));
            }
        }
        catch (Exception ex)
        {
            // One bad message or a throwing handler must never stop the reader.
            _logger.LogWarning(ex, "CDP message dropped");
        }
    }

    public ValueTask DisposeAsync()
    {
        _writer.Dispose();
        _reader.Dispose();
        return ValueTask.CompletedTask;
    }
}
