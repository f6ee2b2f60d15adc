using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using BrowserIsolation.Runner.Audio;
using BrowserIsolation.Runner.Capture;

namespace BrowserIsolation.Runner.Clients;

/// <summary>
/// One viewer's WebSocket. Frames are latest-wins: a slow client skips to the newest picture and never holds
/// the others back or grows a queue. Events (JSON text) are queued, bounded.
/// </summary>
public sealed class ClientConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly Channel<byte> _wake = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<string> _events = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
    // Sound is a stream, not a picture: a short queue (200 ms), oldest dropped, never latest-wins.
    private readonly Channel<EncodedAudioFrame> _audio = Channel.CreateBounded<EncodedAudioFrame>(new BoundedChannelOptions(10) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly byte[] _audioMessage = new byte[AudioFrameMessage.HeaderSize + OpusEncoder.MaxPacketSize];
    private readonly CancellationTokenSource _closing = new();
    private AudioSubscription? _audioFrames;
    private ScreenFrame? _pendingFrame;
    private (WebSocketCloseStatus Status, string Reason) _closeStatus = (WebSocketCloseStatus.NormalClosure, "bye");
    private long _framesSent;
    private long _bytesSent;

    public ClientConnection(WebSocket socket, string id, string participant, string role)
    {
        _socket = socket;
        Id = id;
        Participant = participant;
        Role = role;
    }

    public string Id { get; }

    public string Participant { get; }

    public string Role { get; }

    /// <summary>The participant's display name (the participant id when none was given).</summary>
    public string DisplayName { get; init; } = "";

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public RateMeter Sent { get; } = new();

    public CancellationToken Closing => _closing.Token;

    /// <summary>False while the client watches WebRTC video: JPEGs would only cost bandwidth.</summary>
    public bool WantsFrames { get; set; } = true;

    /// <summary>This connection's client plays the session's sound (it says so with an <c>audio</c> message).</summary>
    public bool Hearing { get; internal set; }

    /// <summary>Sends the session's Opus frames over this socket (the fallback's sound) while subscribed; null stops them.</summary>
    public void ReceiveAudio(AudioPipeline? pipeline)
    {
        var next = pipeline?.Subscribe(OfferAudio);
        Interlocked.Exchange(ref _audioFrames, next)?.Dispose();
        if (_closing.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _audioFrames, null)?.Dispose();
        }
    }

    public bool ReceivesAudio => Volatile.Read(ref _audioFrames) is not null;

    private void OfferAudio(EncodedAudioFrame frame)
    {
        _audio.Writer.TryWrite(frame);
        _wake.Writer.TryWrite(0);
    }

    public void OfferFrame(ScreenFrame frame)
    {
        if (!WantsFrames)
        {
            return;
        }
        Interlocked.Exchange(ref _pendingFrame, frame);
        _wake.Writer.TryWrite(0);
    }

    public void Send(string json)
    {
        _events.Writer.TryWrite(json);
        _wake.Writer.TryWrite(0);
    }

    public void SendJson(object message) => Send(JsonSerializer.Serialize(message, ClientJson.Options));

    /// <summary>Sends until the socket closes or <see cref="Close"/> is called.</summary>
    public async Task RunSendLoopAsync()
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(_closing.Token))
            {
                _wake.Reader.TryRead(out _);
                while (_events.Reader.TryRead(out var json))
                {
                    var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                    await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, _closing.Token);
                }
                while (_audio.Reader.TryRead(out var sound))
                {
                    var length = AudioFrameMessage.Write(_audioMessage, sound);
                    await _socket.SendAsync(_audioMessage.AsMemory(0, length), WebSocketMessageType.Binary, true, _closing.Token);
                    Interlocked.Add(ref _bytesSent, length);
                }
                if (Interlocked.Exchange(ref _pendingFrame, null) is { } frame)
                {
                    await _socket.SendAsync(frame.Jpeg, WebSocketMessageType.Binary, true, _closing.Token);
                    Interlocked.Increment(ref _framesSent);
                    Interlocked.Add(ref _bytesSent, frame.Jpeg.Length);
                    Sent.Mark();
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // the client went away
        }
        finally
        {
            Close();
        }
    }

    /// <summary>Reads whole text messages up to <paramref name="maxBytes"/>; an oversized one is reported and skipped.</summary>
    public async IAsyncEnumerable<ClientMessage> ReadMessagesAsync(int maxBytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            while (_socket.State == WebSocketState.Open && !_closing.IsCancellationRequested)
            {
                var length = 0;
                var oversized = false;
                ValueWebSocketReceiveResult result;
                do
                {
                    var space = buffer.AsMemory(oversized ? 0 : length, oversized ? buffer.Length : maxBytes - length);
                    if (space.Length == 0)
                    {
                        oversized = true;
                        space = buffer.AsMemory(0, buffer.Length);
                    }
                    try
                    {
                        result = await _socket.ReceiveAsync(space, _closing.Token);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
                    {
                        yield break;
                    }
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        yield break;
                    }
                    if (!oversized)
                    {
                        length += result.Count;
                    }
                }
                while (!result.EndOfMessage);

                if (oversized)
                {
                    yield return ClientMessage.Error("message_too_large", $"messages are limited to {maxBytes} bytes");
                }
                else if (result.MessageType == WebSocketMessageType.Binary)
                {
                    yield return ClientMessage.Error("binary_not_accepted", "send input as JSON text messages");
                }
                else
                {
                    yield return new ClientMessage(buffer.AsMemory(0, length), null, null);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Close()
    {
        _closing.Cancel();
        Interlocked.Exchange(ref _audioFrames, null)?.Dispose();
    }

    /// <summary>Ends the connection with this close status and reason (abuse), instead of a normal close.</summary>
    public void Close(WebSocketCloseStatus status, string reason)
    {
        _closeStatus = (status, reason);
        Close();
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _socket.CloseAsync(_closeStatus.Status, _closeStatus.Reason, timeout.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
            {
                // closing a dead socket
            }
        }
        _socket.Dispose();
        _closing.Dispose();
    }
}

/// <summary>A text message (valid only until the next read), or a protocol error to report.</summary>
public readonly record struct ClientMessage(ReadOnlyMemory<byte> Text, string? ErrorCode, string? ErrorMessage)
{
    public static ClientMessage Error(string code, string message) => new(default, code, message);
}

internal static class ClientJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
