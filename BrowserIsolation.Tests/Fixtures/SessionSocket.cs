using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>Test-side client of the session WebSocket: reads frames and events, sends input.</summary>
public sealed class SessionSocket(ClientWebSocket socket) : IDisposable
{
    public ClientWebSocket Socket { get; } = socket;

    public sealed record Message(WebSocketMessageType Type, byte[] Data)
    {
        public string Text => Encoding.UTF8.GetString(Data);

        public JsonElement Json => JsonDocument.Parse(Data).RootElement;
    }

    public async Task<Message?> ReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[1 << 16];
        using var data = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, cts.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }
                data.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    return new Message(result.MessageType, data.ToArray());
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Reads until a frame satisfies <paramref name="predicate"/>; returns it, or fails with what was seen.</summary>
    public async Task<JpegPixels.Image> WaitForFrameAsync(Func<JpegPixels.Image, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        JpegPixels.Image? last = null;
        while (deadline.Elapsed < timeout)
        {
            var message = await ReceiveAsync(timeout - deadline.Elapsed);
            if (message is null)
            {
                break;
            }
            if (message.Type == WebSocketMessageType.Binary)
            {
                last = JpegPixels.Decode(message.Data);
                if (predicate(last))
                {
                    return last;
                }
            }
        }
        throw new TimeoutException($"no frame showed {what} within {timeout}; last frame center: {last?.Center}");
    }

    /// <summary>Reads until a JSON event satisfies <paramref name="predicate"/>.</summary>
    public async Task<JsonElement> WaitForEventAsync(Func<JsonElement, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        var seen = new List<string>();
        while (deadline.Elapsed < timeout)
        {
            var message = await ReceiveAsync(timeout - deadline.Elapsed);
            if (message is null)
            {
                break;
            }
            if (message.Type == WebSocketMessageType.Text)
            {
                seen.Add(message.Text);
                if (predicate(message.Json))
                {
                    return message.Json;
                }
            }
        }
        throw new TimeoutException($"no event {what} within {timeout}; saw: {string.Join(" ", seen.TakeLast(8))}");
    }

    public Task SendJsonAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    public Task SendTextAsync(string text) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public void Dispose() => Socket.Dispose();
}
