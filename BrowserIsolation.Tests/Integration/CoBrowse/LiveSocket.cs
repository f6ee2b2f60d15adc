using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.CoBrowse;

/// <summary>
/// A participant's session WebSocket read in the background: every event is kept, so tests can wait for one that
/// arrived before they asked, and the newest frame is kept for pixel checks.
/// </summary>
public sealed class LiveSocket : IAsyncDisposable
{
    private readonly List<JsonElement> _events = [];
    private readonly Task _reading;
    private byte[]? _lastFrame;
    private int _frames;

    private LiveSocket(ClientWebSocket socket)
    {
        Socket = socket;
        _reading = Task.Run(ReadAsync);
    }

    public ClientWebSocket Socket { get; }

    public bool Closed => _reading.IsCompleted;

    public int Frames => Volatile.Read(ref _frames);

    public string ParticipantId { get; private set; } = "";

    public static async Task<LiveSocket> ConnectAsync(OrchestratorProcess orchestrator, string sessionId, string token)
    {
        var socket = new ClientWebSocket();
        var uri = new UriBuilder(orchestrator.BaseUri) { Scheme = "ws", Path = $"/ws/sessions/{sessionId}", Query = "token=" + Uri.EscapeDataString(token) }.Uri;
        await socket.ConnectAsync(uri, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        var live = new LiveSocket(socket);
        var hello = await live.WaitAsync(e => Type(e) == "hello", "hello");
        live.ParticipantId = hello.GetProperty("participantId").GetString()!;
        return live;
    }

    public static string? Type(JsonElement e) => e.TryGetProperty("type", out var t) ? t.GetString() : null;

    public int Mark()
    {
        lock (_events)
        {
            return _events.Count;
        }
    }

    /// <summary>How many of the events received so far satisfy <paramref name="predicate"/>.</summary>
    public int Count(Func<JsonElement, bool> predicate)
    {
        lock (_events)
        {
            return _events.Count(predicate);
        }
    }

    /// <summary>Waits for an event (received at or after <paramref name="since"/>) that satisfies <paramref name="predicate"/>.</summary>
    public async Task<JsonElement> WaitAsync(Func<JsonElement, bool> predicate, string what, int since = 0, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(15)))
        {
            lock (_events)
            {
                for (var i = since; i < _events.Count; i++)
                {
                    if (predicate(_events[i]))
                    {
                        return _events[i];
                    }
                }
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"{ParticipantId}: no event {what}; last events: {string.Join(" ", Tail(8))}");
    }

    /// <summary>Asserts that no event matching <paramref name="predicate"/> arrives within <paramref name="window"/>.</summary>
    public async Task AssertNoneAsync(Func<JsonElement, bool> predicate, string what, TimeSpan window, int since = 0)
    {
        await Task.Delay(window);
        lock (_events)
        {
            var hit = _events.Skip(since).FirstOrDefault(predicate);
            Assert.True(hit.ValueKind == JsonValueKind.Undefined, $"{ParticipantId}: unexpected {what}: {hit}");
        }
    }

    /// <summary>The newest <c>participants</c> snapshot.</summary>
    public JsonElement? Snapshot()
    {
        lock (_events)
        {
            return _events.LastOrDefault(e => Type(e) == "participants") is { ValueKind: JsonValueKind.Object } s ? s : null;
        }
    }

    public async Task<JsonElement> WaitForSnapshotAsync(Func<JsonElement, bool> predicate, string what, int since = 0) =>
        await WaitAsync(e => Type(e) == "participants" && predicate(e), what, since);

    public static IEnumerable<JsonElement> People(JsonElement snapshot) => snapshot.GetProperty("participants").EnumerateArray();

    public static string? Holder(JsonElement snapshot) =>
        snapshot.GetProperty("control").GetProperty("holder") is { ValueKind: JsonValueKind.String } h ? h.GetString() : null;

    public async Task<JpegPixels.Image> WaitForFrameAsync(Func<JpegPixels.Image, bool> predicate, string what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        JpegPixels.Image? last = null;
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(15)))
        {
            if (Volatile.Read(ref _lastFrame) is { } jpeg)
            {
                last = JpegPixels.Decode(jpeg);
                if (predicate(last))
                {
                    return last;
                }
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"{ParticipantId}: no frame showed {what}; last center {last?.Center}");
    }

    public Task SendAsync(object message) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(message)), WebSocketMessageType.Text, true, CancellationToken.None);

    private IEnumerable<string> Tail(int n)
    {
        lock (_events)
        {
            return _events.TakeLast(n).Select(e => e.GetRawText()).ToList();
        }
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 16];
        using var data = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                data.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }
                if (result.MessageType == WebSocketMessageType.Binary)
                {
                    Volatile.Write(ref _lastFrame, data.ToArray());
                    Interlocked.Increment(ref _frames);
                }
                else
                {
                    var json = JsonDocument.Parse(data.ToArray()).RootElement.Clone();
                    lock (_events)
                    {
                        _events.Add(json);
                    }
                }
                data.SetLength(0);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            // closed
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done", new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // gone
            }
        }
        Socket.Abort();
        await _reading.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        Socket.Dispose();
    }
}
