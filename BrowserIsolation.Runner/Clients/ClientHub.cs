using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using BrowserIsolation.Runner.Browser;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Input;
using BrowserIsolation.Runner.Participants;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Clients;

/// <summary>All WebSocket viewers of this runner: fans frames and events out, takes input in.</summary>
public sealed class ClientHub
{
    private readonly ConcurrentDictionary<string, ClientConnection> _clients = new();
    private readonly FrameHub _frames;
    private readonly BrowserHost _browser;
    private readonly RunnerState _state;
    private readonly RunnerOptions _options;
    private readonly CoBrowseMessages _cobrowse;
    private readonly Audio.AudioListeners _listeners;
    private readonly Audio.AudioPipeline _audio;
    private readonly ILogger<ClientHub> _logger;
    private long _framesSentByDeparted;
    private long _bytesSentByDeparted;
    private long _nextId;

    public ClientHub(FrameHub frames, BrowserHost browser, RunnerState state, IOptions<RunnerOptions> options,
        CoBrowseMessages cobrowse, Audio.AudioListeners listeners, Audio.AudioPipeline audio, ILogger<ClientHub> logger)
    {
        _listeners = listeners;
        _audio = audio;
        _cobrowse = cobrowse;
        _frames = frames;
        _browser = browser;
        _state = state;
        _options = options.Value;
        _logger = logger;
        frames.Subscribe(frame =>
        {
            foreach (var client in _clients.Values)
            {
                client.OfferFrame(frame);
            }
        });
    }

    public int Count => _clients.Count;

    public long FramesSent => Interlocked.Read(ref _framesSentByDeparted) + _clients.Values.Sum(c => c.FramesSent);

    public long BytesSent => Interlocked.Read(ref _bytesSentByDeparted) + _clients.Values.Sum(c => c.BytesSent);

    public IReadOnlyCollection<ClientConnection> Clients => [.. _clients.Values];

    /// <summary>A client joined and got its hello: send it the current state (tabs, policy).</summary>
    public event Action<ClientConnection>? Connected;

    public void Broadcast(object message)
    {
        var json = JsonSerializer.Serialize(message, ClientJson.Options);
        foreach (var client in _clients.Values)
        {
            client.Send(json);
        }
    }

    /// <summary>Serves one client until it leaves or the runner stops.</summary>
    public async Task ServeAsync(WebSocket socket, string participant, string role, CancellationToken stopping, string? displayName = null)
    {
        if (_cobrowse.IsRemoved(participant))
        {
            await RefuseRemovedAsync(socket);
            return;
        }
        var client = new ClientConnection(socket, $"c{Interlocked.Increment(ref _nextId)}", participant, role) { DisplayName = displayName ?? participant };
        _clients[client.Id] = client;
        using var stop = stopping.Register(client.Close);
        _logger.LogInformation("Client {Client} ({Participant}, {Role}) connected; {Count} now", client.Id, participant, role, _clients.Count);
        try
        {
            client.SendJson(new
            {
                type = "hello", sessionId = _state.SessionId, clientId = client.Id, width = _browser.Tabs.Width, height = _browser.Tabs.Height, role,
                participantId = participant, name = client.DisplayName, audio = _audio.IsAvailable,
            });
            if (!_cobrowse.Join(client))
            {
                client.Close(); // removed meanwhile
            }
            if (_browser.Tabs.Active is { } tab)
            {
                client.SendJson(new { type = "navigation", tabId = tab.TargetId, url = tab.Url, title = tab.Title });
            }
            Connected?.Invoke(client);
            // A late joiner gets a picture at once, even when the page has stopped changing.
            if (_frames.Latest is { } latest)
            {
                client.OfferFrame(latest);
            }
            var sending = client.RunSendLoopAsync();
            await ReceiveAsync(client);
            client.Close();
            await sending;
        }
        finally
        {
            _cobrowse.Leave(client);
            _clients.TryRemove(client.Id, out _);
            Interlocked.Add(ref _framesSentByDeparted, client.FramesSent);
            Interlocked.Add(ref _bytesSentByDeparted, client.BytesSent);
            await client.DisposeAsync();
            _logger.LogInformation("Client {Client} left; {Count} now", client.Id, _clients.Count);
        }
    }

    private static async Task RefuseRemovedAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            var json = JsonSerializer.Serialize(new { type = "error", code = "participant_removed", message = "you were removed from this session" }, ClientJson.Options);
            await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, timeout.Token);
            await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "removed", timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // gone already
        }
    }

    private async Task ReceiveAsync(ClientConnection client)
    {
        var limiter = new InputRateLimiter(_options.MaxInputEventsPerSecond);
        var messages = new MessageRateLimiter(_options.MaxClientMessagesPerSecond, _options.ClientFloodDisconnect);
        await foreach (var message in client.ReadMessagesAsync(_options.MaxClientMessageBytes))
        {
            if (message.ErrorCode is not null)
            {
                client.SendJson(new { type = "error", code = message.ErrorCode, message = message.ErrorMessage });
                continue;
            }
            try
            {
                HandleText(client, message.Text, limiter, messages);
            }
            catch (InputException ex)
            {
                client.SendJson(new { type = "error", code = ex.Code, message = ex.Message });
            }
            catch (JsonException ex)
            {
                client.SendJson(new { type = "error", code = "invalid_json", message = $"not valid JSON: {ex.Message}" });
            }
            catch (Exception ex) when (ex is Cdp.CdpException)
            {
                client.SendJson(new { type = "error", code = "browser_unavailable", message = ex.Message });
            }
        }
    }

    private void HandleText(ClientConnection client, ReadOnlyMemory<byte> text, InputRateLimiter limiter, MessageRateLimiter messages)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 8 });
        var type = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("type", out var t)
            && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (!messages.TryTake(MessageRateLimiter.CostOf(type)))
        {
            if (messages.IsSustainedFlood)
            {
                _logger.LogWarning("Client {Client} ({Participant}) flooded for {Seconds} s: disconnected", client.Id, client.Participant,
                    messages.SustainedFlood.TotalSeconds);
                client.Close(WebSocketCloseStatus.PolicyViolation, "rate_limited");
            }
            throw new InputException("rate_limited", $"more than {messages.PerSecond} messages per second on this connection");
        }
        if (ClientControl.TryHandle(client, document.RootElement, _frames) || _listeners.TryHandle(client, document.RootElement))
        {
            return;
        }
        if (_cobrowse.TryHandle(client, document.RootElement, out var translated))
        {
            return;
        }
        var input = translated ?? InputParser.Parse(document.RootElement, _browser.Tabs.Width, _browser.Tabs.Height);
        if (!_cobrowse.Admit(client, input))
        {
            return;
        }
        if (!limiter.TryTake())
        {
            throw new InputException("rate_limited", $"more than {_options.MaxInputEventsPerSecond} input events per second");
        }
        _browser.Input.Dispatch(input);
        _cobrowse.Dispatched(client, input);
    }
}
