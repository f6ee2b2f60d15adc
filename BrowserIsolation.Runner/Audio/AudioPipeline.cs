using System.Diagnostics;
using BrowserIsolation.Runner.Media;
using BrowserIsolation.Runner.Policy;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Audio;

/// <summary>
/// The session's one Opus encoder: the sound server's null-sink monitor -> 20 ms PCM frames -> Opus, encoded once
/// and handed to every subscriber (WebRTC peers and fallback WebSockets). It records only while someone subscribes
/// and the policy allows sound; DTX frames (silence) are not handed on. When sound is switched off it sends silence
/// until Opus goes quiet (at most 0.5 s), so decoders fade out instead of concealing. Callbacks run on its capture thread.
/// </summary>
public sealed class AudioPipeline : IDisposable
{
    private const int SilenceTailFrames = 25;

    private readonly SoundServer _server;
    private readonly AudioOptions _options;
    private readonly UrlPolicyHolder _policy;
    private readonly ILogger<AudioPipeline> _logger;
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private AudioSubscription[] _subscribers = [];
    private volatile bool _disposed;
    private volatile bool _capturing;
    private long _encodedFrames;
    private long _deliveredFrames;
    private long _deliveredBytes;
    private long _silentFrames;
    private long _captureFailures;
    private long _gaps;

    public AudioPipeline(SoundServer server, IOptions<AudioOptions> options, UrlPolicyHolder policy, ILogger<AudioPipeline> logger)
    {
        _server = server;
        _options = options.Value;
        _policy = policy;
        _logger = logger;
        _policy.Changed += OnPolicyChanged;
        _thread = new Thread(CaptureLoop) { IsBackground = true, Name = "opus-capture" };
        _thread.Start();
    }

    /// <summary>This runner captures sound (its sound server is configured; whether it started shows in <see cref="IsCapturing"/>).</summary>
    public bool IsAvailable => _server.IsAvailable;

    public bool IsAllowed => _policy.Current.AllowAudio;

    public bool IsCapturing => _capturing;

    /// <summary>What one Opus stream takes on the wire at most: the bitrate plus RTP/SRTP/UDP/IP overhead, 50 packets a second.</summary>
    public int TransportBitrate => _options.Bitrate + (50 * 70 * 8);

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    public long EncodedFrames => Interlocked.Read(ref _encodedFrames);

    /// <summary>Frames handed to subscribers (each once, whatever the number of subscribers).</summary>
    public long DeliveredFrames => Interlocked.Read(ref _deliveredFrames);

    public long DeliveredBytes => Interlocked.Read(ref _deliveredBytes);

    /// <summary>Frames Opus coded as silence (DTX) and nobody was sent.</summary>
    public long SilentFrames => Interlocked.Read(ref _silentFrames);

    public long CaptureFailures => Interlocked.Read(ref _captureFailures);

    /// <summary>Times the sample count was re-anchored to the clock (the server dropped or stalled samples).</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    public AudioSubscription Subscribe(Action<EncodedAudioFrame> onFrame)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var subscription = new AudioSubscription(this, onFrame);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
        }
        _wake.Set();
        return subscription;
    }

    internal void Unsubscribe(AudioSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
        }
        _wake.Set();
    }

    private bool Wanted => !_disposed && IsAvailable && IsAllowed && Volatile.Read(ref _subscribers).Length > 0;

    private void OnPolicyChanged(UrlPolicy policy) => _wake.Set();

    private void CaptureLoop()
    {
        while (!_disposed)
        {
            if (!Wanted)
            {
                _wake.WaitOne();
                continue;
            }
            if (!_server.Ready.GetAwaiter().GetResult())
            {
                return; // no sound server: nothing will ever be captured
            }
            try
            {
                Capture();
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException)
            {
                _capturing = false;
                if (Interlocked.Increment(ref _captureFailures) <= 3)
                {
                    _logger.LogWarning("Sound capture failed, retrying in 1 s: {Reason}", ex.Message);
                }
                _wake.WaitOne(TimeSpan.FromSeconds(1));
            }
        }
    }

    private void Capture()
    {
        var channels = _options.Channels;
        using var stream = new PulseRecordStream(_server.ServerAddress, SoundServer.MonitorSource, channels, EncodedAudioFrame.Samples);
        using var encoder = new OpusEncoder(channels, _options.Bitrate, _options.Complexity, _options.ExpectedLossPercent, _options.Fec, _options.Dtx);
        var pcm = new short[EncodedAudioFrame.Samples * channels];
        var packet = new byte[OpusEncoder.MaxPacketSize];
        var timeline = new CaptureTimeline(OpusEncoder.SampleRate, EncodedAudioFrame.Samples);
        var resumed = true;
        _capturing = true;
        _logger.LogInformation("Sound capture started: Opus {Bitrate} bit/s, {Channels} channel(s), FEC {Fec}, DTX {Dtx}",
            _options.Bitrate, channels, _options.Fec, _options.Dtx);
        var silenceTail = 0;
        try
        {
            while (!_disposed && Volatile.Read(ref _subscribers).Length > 0)
            {
                stream.Read(pcm);
                if (timeline.Next(Stopwatch.GetTimestamp()) is var (sampleTime, capturedAt, gap) && gap)
                {
                    Interlocked.Increment(ref _gaps);
                    resumed = true;
                }
                if (!IsAllowed)
                {
                    // Switched off: real-time silence until Opus goes quiet (DTX), so decoders fade out instead of concealing.
                    Array.Clear(pcm);
                    if (encoder.InDtx || ++silenceTail > SilenceTailFrames)
                    {
                        break;
                    }
                }
                else
                {
                    silenceTail = 0;
                }
                resumed = EncodeAndDeliver(encoder, pcm, packet, sampleTime, capturedAt, resumed);
            }
        }
        finally
        {
            _capturing = false;
            _logger.LogInformation("Sound capture stopped after {Frames} frames ({Silent} silent)", EncodedFrames, SilentFrames);
        }
    }

    /// <summary>Returns whether the next delivered frame follows a gap.</summary>
    private bool EncodeAndDeliver(OpusEncoder encoder, short[] pcm, byte[] packet, long sampleTime, long capturedAt, bool resumed)
    {
        var length = encoder.Encode(pcm, packet);
        Interlocked.Increment(ref _encodedFrames);
        if (length <= 2)
        {
            // A DTX frame: libopus says it need not be sent (RFC 7587 section 3.1.3).
            Interlocked.Increment(ref _silentFrames);
            return true;
        }
        var frame = new EncodedAudioFrame(packet.AsSpan(0, length).ToArray(), sampleTime, capturedAt, resumed);
        Interlocked.Increment(ref _deliveredFrames);
        Interlocked.Add(ref _deliveredBytes, length);
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber.Deliver(frame);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "An audio subscriber failed");
            }
        }
        return false;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _policy.Changed -= OnPolicyChanged;
        _wake.Set();
        // The capture thread owns the record stream: it ends within one frame.
        if (_thread.Join(TimeSpan.FromSeconds(2)))
        {
            _wake.Dispose();
        }
    }
}
