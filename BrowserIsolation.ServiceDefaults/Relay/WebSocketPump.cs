using System.Net.WebSockets;

namespace BrowserIsolation.ServiceDefaults.Relay;

/// <summary>Copies WebSocket messages one way, fragment by fragment, keeping message boundaries and types.</summary>
public static class WebSocketPump
{
    private const int ChunkBytes = 64 * 1024;

    /// <summary>
    /// Runs until <paramref name="from"/> closes or either side fails. It takes no cancellation token on purpose:
    /// cancelling a pending WebSocket call aborts the socket; callers end a pump by aborting or closing a side.
    /// </summary>
    public static async Task RunAsync(WebSocket from, WebSocket to)
    {
        var buffer = new byte[ChunkBytes];
        try
        {
            while (true)
            {
                var result = await from.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // one side went away; the caller closes the other
        }
    }

    /// <summary>Starts a clean close; a socket already closing or gone is left alone.</summary>
    public static async Task CloseAsync(WebSocket socket, string reason, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // already closed
        }
    }
}
