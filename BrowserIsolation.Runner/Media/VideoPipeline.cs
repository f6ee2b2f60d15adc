using System.Diagnostics;
using BrowserIsolation.Runner.Capture;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Runner.Media;

/// <summary>
/// The runner's one VP8 encoder: screencast JPEG -> I420 -> VP8, encoded once and handed to every subscriber.
/// It listens to the <see cref="FrameHub"/> only while someone subscribes. A dedicated thread always takes the
/// newest waiting frame (older ones are dropped, never queued), caps the rate at MaxFps, and re-encodes the last
/// picture every StaticRepeatMs while the page is static, so decoders and joining peers always have a picture.
/// Subscriber callbacks run on that thread: they must packetize and send, never block.
/// </summary>
public sealed class VideoPipeline : IDisposable
{
    private readonly FrameHub _hub;
    private readonly VideoOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly AutoResetEvent _wake = new(false);
    private readonly Thread _thread;
    private readonly long _frameIntervalTicks;
    private readonly long _staticRepeatTicks;
    private readonly long _keyframeMinIntervalTicks;

    private VideoSubscription[] _subscribers = [];
    private IDisposable? _hubSubscription;
    private ScreenFrame? _pending;
    private ScreenFrame? _seed;
    private volatile bool _disposed;
    private int _targetBitrate;
    private long _keyframeRequests;
    private long _encodedFrames;
    private long _keyframes;
    private long _repeats;
    private long _decodeFailures;
    private long _skippedByEncoder;
    private long _lastErrorLogAt;

    public VideoPipeline(FrameHub hub, IOptions<VideoOptions> options, ILogger<VideoPipeline> logger)
        : this(hub, options.Value, logger)
    {
    }

    public VideoPipeline(FrameHub hub, VideoOptions options, ILogger? logger = null)
    {
        _hub = hub;
        _options = options.Normalized();
        _logger = logger ?? NullLogger.Instance;
        _targetBitrate = _options.Bitrate;
        _frameIntervalTicks = Stopwatch.Frequency / _options.MaxFps;
        _staticRepeatTicks = MediaClock.MillisecondsToTicks(_options.StaticRepeatMs);
        _keyframeMinIntervalTicks = MediaClock.MillisecondsToTicks(_options.KeyframeMinIntervalMs);
        _thread = new Thread(EncodeLoop) { IsBackground = true, Name = "vp8-encode" };
        _thread.Start();
    }

    public VideoOptions Options => _options;

    /// <summary>Encoder invocations since start (one per encoded picture, whatever the number of subscribers).</summary>
    public long EncodedFrames => Interlocked.Read(ref _encodedFrames);

    public long Keyframes => Interlocked.Read(ref _keyframes);

    /// <summary>Encodes of the last picture made because the page sent nothing new.</summary>
    public long RepeatedFrames => Interlocked.Read(ref _repeats);

    public long DecodeFailures => Interlocked.Read(ref _decodeFailures);

    /// <summary>Frames libvpx chose not to code (rate control, <see cref="VideoOptions.DropFrameThreshold"/>).</summary>
    public long SkippedByEncoder => Interlocked.Read(ref _skippedByEncoder);

    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Target set by <see cref="SetTargetBitrate"/> (bit/s, clamped to MinBitrate..MaxBitrate).</summary>
    public int TargetBitrate => Volatile.Read(ref _targetBitrate);

    /// <summary>What the encoder aims at: the target, lowered to the smallest limit any subscriber set.</summary>
    public int EffectiveBitrate
    {
        get
        {
            var rate = TargetBitrate;
            foreach (var subscriber in Volatile.Read(ref _subscribers))
            {
                var limit = subscriber.BitrateLimit;
                if (limit > 0 && limit < rate)
                {
                    rate = limit;
                }
            }
            return Math.Clamp(rate, _options.MinBitrate, _options.MaxBitrate);
        }
    }

    /// <summary>
    /// Adds a receiver of encoded frames. The first subscriber starts the capture subscription; every new
    /// subscriber gets a keyframe promptly (from the last captured picture if the page is static).
    /// </summary>
    public VideoSubscription Subscribe(Action<EncodedVideoFrame> onFrame)
    {
        ArgumentNullException.ThrowIfNull(onFrame);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var subscription = new VideoSubscription(this, onFrame);
        lock (_gate)
        {
            _subscribers = [.. _subscribers, subscription];
            if (_hubSubscription is null)
            {
                _hubSubscription = _hub.Subscribe(OnCapturedFrame);
                SeedFromHub();
            }
        }
        RequestKeyframe();
        return subscription;
    }

    /// <summary>Asks for a keyframe (new peer, PLI, FIR). Requests closer than KeyframeMinIntervalMs coalesce.</summary>
    public void RequestKeyframe()
    {
        Interlocked.Increment(ref _keyframeRequests);
        _wake.Set();
    }

    /// <summary>Sets the encoder's target bitrate (bit/s), clamped to MinBitrate..MaxBitrate; applied before the next frame.</summary>
    public void SetTargetBitrate(int bitsPerSecond)
    {
        Volatile.Write(ref _targetBitrate, Math.Clamp(bitsPerSecond, _options.MinBitrate, _options.MaxBitrate));
    }

    internal void Unsubscribe(VideoSubscription subscription)
    {
        IDisposable? hubSubscription = null;
        lock (_gate)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
            if (_subscribers.Length == 0)
            {
                hubSubscription = _hubSubscription;
                _hubSubscription = null;
            }
        }
        hubSubscription?.Dispose();
        _wake.Set();
    }

    /// <summary>A static page sends no frames: start from the hub's last one unless a newer one already waits.</summary>
    private void SeedFromHub()
    {
        var latest = _hub.Latest;
        while (latest is not null)
        {
            var pending = Volatile.Read(ref _pending);
            if (pending is not null && pending.Sequence >= latest.Sequence)
            {
                return;
            }
            Volatile.Write(ref _seed, latest);
            if (Interlocked.CompareExchange(ref _pending, latest, pending) == pending)
            {
                return;
            }
        }
    }

    private void OnCapturedFrame(ScreenFrame frame)
    {
        // Latest wins: a frame not yet taken by the encoder is simply replaced.
        Volatile.Write(ref _pending, frame);
        _wake.Set();
    }

    private void EncodeLoop()
    {
        var state = new EncodeState();
        while (!_disposed)
        {
            try
            {
                Step(state);
            }
            catch (Exception ex)
            {
                // Nothing on this thread may take the runner down; drop the codec and carry on.
                LogError(ex, "encode loop failed");
                state.Encoder?.Dispose();
                state.Encoder = null;
                Thread.Sleep(50);
            }
        }
        state.Encoder?.Dispose();
        state.Decoder?.Dispose();
    }

    private void Step(EncodeState state)
    {
        var now = Stopwatch.GetTimestamp();
        var keyframeWanted = Interlocked.Read(ref _keyframeRequests) != state.ServedRequests;
        _wake.WaitOne(SubscriberCount > 0 ? WaitTimeout(now, state, keyframeWanted) : Timeout.Infinite);
        if (_disposed)
        {
            return;
        }

        if (SubscriberCount == 0)
        {
            // Nobody watches: free the codec; the next subscriber starts again from the hub's latest frame.
            state.Encoder?.Dispose();
            state.Encoder = null;
            state.HasPicture = false;
            state.LastJpeg = null;
            return;
        }

        // Average rate at most MaxFps, tolerating half an interval of capture jitter (GCRA).
        now = Stopwatch.GetTimestamp();
        var early = state.NextSlot - (_frameIntervalTicks / 2) - now;
        if (early > 0 && Volatile.Read(ref _pending) is not null)
        {
            Thread.Sleep(TimeSpan.FromTicks(Math.Max(1, early * TimeSpan.TicksPerSecond / Stopwatch.Frequency)));
            now = Stopwatch.GetTimestamp();
        }

        var requests = Interlocked.Read(ref _keyframeRequests);
        var keyframeAllowed = requests != state.ServedRequests && now - state.LastKeyframeAt >= _keyframeMinIntervalTicks;
        long capturedAt;
        bool repeat;

        var frame = Interlocked.Exchange(ref _pending, null);
        // The hub's last picture, seeding a new subscriber of a static page, shows the screen as it is now: with its
        // old capture time its RTP timestamp would lie seconds behind the frames that follow.
        var seeded = frame is not null && ReferenceEquals(frame, Interlocked.Exchange(ref _seed, null));
        if (frame is not null && state.HasPicture && ReferenceEquals(frame.Jpeg, state.LastJpeg))
        {
            // The hub re-published the picture we hold: no need to decode it again.
            (capturedAt, repeat) = (seeded ? now : frame.CapturedAt, true);
        }
        else if (frame is not null && TryDecode(state, frame))
        {
            (capturedAt, repeat) = (seeded ? now : frame.CapturedAt, frame.IsRepeat);
        }
        else if (state.HasPicture && (keyframeAllowed || now - state.LastEncodeAt >= _staticRepeatTicks))
        {
            // Static page (or an undecodable frame while a keyframe is owed): encode the last picture again.
            (capturedAt, repeat) = (now, true);
        }
        else
        {
            return;
        }

        state.Encoder ??= new Vp8Encoder(_options);
        var encoded = Encode(state.Encoder, state.Picture, capturedAt, keyframeAllowed, out var skipped);
        state.LastEncodeAt = now;
        state.NextSlot = Math.Max(state.NextSlot, now) + _frameIntervalTicks;
        if (repeat)
        {
            Interlocked.Increment(ref _repeats);
        }
        if (skipped)
        {
            // Rate control skipped this frame: the codec is fine and its state must stay (a new one means a keyframe).
            Interlocked.Increment(ref _skippedByEncoder);
            return;
        }
        if (encoded is null)
        {
            // Do not retry a failing forced keyframe in a tight loop; start the codec afresh next time.
            state.LastKeyframeAt = keyframeAllowed ? now : state.LastKeyframeAt;
            state.Encoder.Dispose();
            state.Encoder = null;
            return;
        }
        if (encoded.IsKeyframe)
        {
            Interlocked.Increment(ref _keyframes);
            state.LastKeyframeAt = now;
            state.ServedRequests = requests;
        }
        Deliver(encoded);
    }

    private int WaitTimeout(long now, EncodeState state, bool keyframeWanted)
    {
        if (!state.HasPicture)
        {
            return Timeout.Infinite;
        }
        var due = state.LastEncodeAt + _staticRepeatTicks;
        if (keyframeWanted)
        {
            due = Math.Min(due, state.LastKeyframeAt + _keyframeMinIntervalTicks);
        }
        var ms = MediaClock.ElapsedMilliseconds(now, due);
        return (int)Math.Clamp(ms, 0, int.MaxValue);
    }

    private TurboJpegDecoder? CreateDecoder()
    {
        try
        {
            return new TurboJpegDecoder();
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            LogError(ex, "cannot start the JPEG decoder (libturbojpeg.so.0)");
            return null;
        }
    }

    /// <summary>Decodes into the spare buffer and swaps on success, so a bad frame never spoils the last good picture.</summary>
    private bool TryDecode(EncodeState state, ScreenFrame frame)
    {
        state.Decoder ??= CreateDecoder();
        if (state.Decoder is null)
        {
            return false;
        }
        if (state.Decoder.TryDecode(frame.Jpeg, state.Spare))
        {
            (state.Picture, state.Spare) = (state.Spare, state.Picture);
            state.HasPicture = true;
            state.LastJpeg = frame.Jpeg;
            return true;
        }
        Interlocked.Increment(ref _decodeFailures);
        LogError(null, $"dropped undecodable frame {frame.Sequence}: {state.Decoder.LastError}");
        return false;
    }

    /// <summary>The coded frame; null with <paramref name="skipped"/> when libvpx chose to skip it, null alone when it failed.</summary>
    private EncodedVideoFrame? Encode(Vp8Encoder encoder, I420Buffer picture, long capturedAt, bool forceKeyframe, out bool skipped)
    {
        skipped = false;
        try
        {
            encoder.SetBitrate(EffectiveBitrate);
            Interlocked.Increment(ref _encodedFrames);
            var pts = MediaClock.ToClockUnits(capturedAt, MediaClock.VideoClockRate);
            if (encoder.TryEncode(picture, pts, forceKeyframe, out var data, out var isKeyframe))
            {
                return new EncodedVideoFrame(data, isKeyframe, capturedAt, picture.Width, picture.Height);
            }
            skipped = true;
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException or EntryPointNotFoundException)
        {
            LogError(ex, "VP8 encode failed");
            encoder.Dispose();
            return null;
        }
    }

    private void Deliver(EncodedVideoFrame frame)
    {
        foreach (var subscriber in Volatile.Read(ref _subscribers))
        {
            try
            {
                subscriber.Deliver(frame);
            }
            catch (Exception ex)
            {
                LogError(ex, "video subscriber failed");
            }
        }
    }

    /// <summary>At most one error line per 5 s: a broken stream must not flood the log at 60 fps.</summary>
    private void LogError(Exception? ex, string message)
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastErrorLogAt);
        if (last != 0 && MediaClock.ElapsedMilliseconds(last, now) < 5000)
        {
            return;
        }
        Interlocked.Exchange(ref _lastErrorLogAt, now);
#pragma warning disable CA2254 // message text varies on purpose; it is rate limited
        _logger.LogWarning(ex, "Video pipeline: " + message);
#pragma warning restore CA2254
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        IDisposable? hubSubscription;
        lock (_gate)
        {
            hubSubscription = _hubSubscription;
            _hubSubscription = null;
            _subscribers = [];
        }
        hubSubscription?.Dispose();
        _wake.Set();
        if (_thread.Join(TimeSpan.FromSeconds(5)))
        {
            _wake.Dispose();
        }
    }

    /// <summary>State only the encode thread touches.</summary>
    private sealed class EncodeState
    {
        public TurboJpegDecoder? Decoder;
        public Vp8Encoder? Encoder;
        public I420Buffer Picture = new();
        public I420Buffer Spare = new();
        public bool HasPicture;
        public byte[]? LastJpeg;
        public long LastEncodeAt;
        public long LastKeyframeAt = long.MinValue / 2;
        public long ServedRequests;
        public long NextSlot;
    }
}
