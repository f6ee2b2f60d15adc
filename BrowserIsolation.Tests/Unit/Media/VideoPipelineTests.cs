using System.Collections.Concurrent;
using System.Diagnostics;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Runner.Media;

namespace BrowserIsolation.Tests.Unit.Media;

[Trait("Category", "Media")]
public sealed class VideoPipelineTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void EncodesOnceForTwoSubscribers()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000 });
        var first = new FrameLog();
        var second = new FrameLog();
        using var a = pipeline.Subscribe(first.Add);
        using var b = pipeline.Subscribe(second.Add);

        for (var i = 0; i < 10; i++)
        {
            Publish(hub, 320, 240, i);
            first.WaitFor(i + 1);
        }
        second.WaitFor(10);

        Assert.Equal(10, pipeline.EncodedFrames);
        Assert.Equal(10, first.Count);
        // Both receive the very same encoded objects: one encode, shared.
        Assert.Equal(first.Frames, second.Frames, ReferenceEqualityComparer.Instance);
        Assert.True(first.Frames[0].IsKeyframe);
        Assert.All(first.Frames, f => Assert.Equal((320, 240), (f.Width, f.Height)));
    }

    [Fact]
    public void KeyframeOnRequestEvenWhenThePageIsStatic()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000, KeyframeMinIntervalMs = 20 });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);
        for (var i = 0; i < 3; i++)
        {
            Publish(hub, 320, 240, i);
            log.WaitFor(i + 1);
        }
        Assert.Equal([true, false, false], log.Frames.Select(f => f.IsKeyframe));

        // No new capture: the last picture is encoded again as a keyframe (a PLI on a static page).
        subscription.RequestKeyframe();
        log.WaitFor(4);
        Assert.True(log.Frames[3].IsKeyframe);
        Assert.Equal(1, pipeline.RepeatedFrames);

        Publish(hub, 320, 240, 3);
        log.WaitFor(5);
        Assert.False(log.Frames[4].IsKeyframe);
    }

    [Fact]
    public void JoiningPeerOfAStaticPageGetsAKeyframeAtOnce()
    {
        var hub = new FrameHub();
        Publish(hub, 320, 240, 0); // published before anyone watches, never again
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000, KeyframeMinIntervalMs = 20 });

        var first = new FrameLog();
        using var a = pipeline.Subscribe(first.Add);
        first.WaitFor(1);
        Assert.True(first.Frames[0].IsKeyframe);

        var second = new FrameLog();
        using var b = pipeline.Subscribe(second.Add);
        second.WaitFor(1);
        Assert.True(second.Frames[0].IsKeyframe);
        Assert.Equal(2, pipeline.EncodedFrames);
    }

    [Fact]
    public void PeerJoiningAMovingStreamStartsAtAKeyframe()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000, KeyframeMinIntervalMs = 3_000 });
        var first = new FrameLog();
        using var a = pipeline.Subscribe(first.Add);
        Publish(hub, 320, 240, 0);
        first.WaitFor(1);

        // The second peer's keyframe request is held back by KeyframeMinIntervalMs: deltas keep flowing meanwhile.
        var second = new FrameLog();
        using var b = pipeline.Subscribe(second.Add);
        for (var i = 1; i < 6; i++)
        {
            Publish(hub, 320, 240, i);
            first.WaitFor(i + 1);
        }
        Assert.Empty(second.Frames);
        Assert.False(b.Started);

        second.WaitFor(1);
        Assert.True(second.Frames[0].IsKeyframe);
        Assert.True(b.Started);
        Assert.Same(second.Frames[0], first.Frames[^1]);
    }

    [Fact]
    public void StaticPageIsRepeatedAtALowRate()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 100 });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);
        Publish(hub, 160, 120, 0);

        log.WaitFor(4);
        Assert.InRange(pipeline.RepeatedFrames, 3, 10);
        // Repeats carry fresh capture times so the RTP clock keeps moving.
        var times = log.Frames.Take(4).Select(f => f.CapturedAt).ToArray();
        Assert.True(times.Zip(times.Skip(1)).All(p => p.Second > p.First));
        var gapMs = MediaClock.ElapsedMilliseconds(times[1], times[2]);
        Assert.InRange(gapMs, 80, 1000);
    }

    [Fact]
    public void NewestFrameWinsWhenFramesArriveFasterThanTheCap()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { MaxFps = 1, StaticRepeatMs = 60_000 });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);
        var jpegs = Enumerable.Range(0, 12).Select(i => TestPictures.Jpeg(160, 120, i)).ToArray();

        var publishing = Stopwatch.StartNew();
        ScreenFrame? last = null;
        for (var i = 0; i < jpegs.Length; i++)
        {
            last = new ScreenFrame(jpegs[i], 160, 120, i, Stopwatch.GetTimestamp());
            hub.Publish(last);
            Thread.Sleep(10);
        }
        publishing.Stop();
        log.WaitUntil(() => log.Frames.Any(f => f.CapturedAt == last!.CapturedAt));

        // 12 frames within a fraction of a second at 1 fps: the first, then only the newest; nothing queued up.
        var bound = 2 + (int)publishing.Elapsed.TotalSeconds;
        Assert.InRange(pipeline.EncodedFrames, 2, bound);
        Thread.Sleep(600);
        Assert.InRange(pipeline.EncodedFrames, 2, bound);
    }

    [Fact]
    public void BadJpegIsDroppedAndTheStreamGoesOn()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000 });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);

        hub.Publish(new ScreenFrame([0xFF, 0xD8, 1, 2, 3], 320, 240, 0, Stopwatch.GetTimestamp()));
        var deadline = Stopwatch.StartNew();
        while (pipeline.DecodeFailures == 0 && deadline.Elapsed < Patience)
        {
            Thread.Sleep(5);
        }
        Assert.Equal(1, pipeline.DecodeFailures);
        Assert.Equal(0, pipeline.EncodedFrames);

        Publish(hub, 320, 240, 1);
        log.WaitFor(1);
        Assert.True(log.Frames[0].IsKeyframe);
    }

    [Fact]
    public void CorruptFrameDoesNotSpoilTheLastGoodPicture()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000, KeyframeMinIntervalMs = 20 });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);
        var good = TestPictures.Jpeg(320, 240, 3);
        hub.Publish(new ScreenFrame(good, 320, 240, 1, Stopwatch.GetTimestamp()));
        log.WaitFor(1);

        // A black picture cut short: valid header, so the decoder fails only after it wrote black rows.
        var black = JpegTestEncoder.Encode(new byte[320 * 240 * 3], 320, 240, JpegTestEncoder.Subsample420);
        hub.Publish(new ScreenFrame(black[..(black.Length * 3 / 4)], 320, 240, 2, Stopwatch.GetTimestamp()));
        log.WaitUntil(() => pipeline.DecodeFailures == 1);
        subscription.RequestKeyframe();
        log.WaitFor(2);

        using var vp8 = new Vp8TestDecoder();
        var decoded = vp8.Decode(log.Frames[1].Data);
        using var jpeg = new TurboJpegDecoder();
        var expected = new I420Buffer();
        Assert.True(jpeg.TryDecode(good, expected));
        Assert.True(TestPictures.LumaPsnr(expected, decoded) > 30);
    }

    [Fact]
    public void ResolutionChangeStartsWithAKeyframe()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000 });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);
        Publish(hub, 320, 240, 0);
        log.WaitFor(1);
        Publish(hub, 320, 240, 1);
        log.WaitFor(2);
        Publish(hub, 640, 360, 2);
        log.WaitFor(3);

        Assert.Equal([true, false, true], log.Frames.Select(f => f.IsKeyframe));
        Assert.Equal((640, 360), (log.Frames[2].Width, log.Frames[2].Height));
    }

    [Fact]
    public void CaptureIsWatchedOnlyWhileSomeoneSubscribes()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000 });
        Publish(hub, 160, 120, 0);
        Thread.Sleep(100);
        Assert.Equal(0, pipeline.EncodedFrames);

        var log = new FrameLog();
        var subscription = pipeline.Subscribe(log.Add);
        log.WaitFor(1);
        subscription.Dispose();
        Assert.Equal(0, pipeline.SubscriberCount);

        var encoded = pipeline.EncodedFrames;
        Publish(hub, 160, 120, 1);
        Thread.Sleep(200);
        Assert.Equal(encoded, pipeline.EncodedFrames);
        Assert.Equal(1, log.Count);
    }

    [Fact]
    public void BitrateFollowsTheTargetAndTheLowestSubscriberLimit()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { Bitrate = 2_500_000, MinBitrate = 300_000, MaxBitrate = 5_000_000 });
        using var a = pipeline.Subscribe(_ => { });
        using var b = pipeline.Subscribe(_ => { });
        Assert.Equal(2_500_000, pipeline.EffectiveBitrate);

        pipeline.SetTargetBitrate(50_000_000);
        Assert.Equal(5_000_000, pipeline.TargetBitrate);
        a.SetBitrateLimit(1_200_000);
        b.SetBitrateLimit(900_000);
        Assert.Equal(900_000, pipeline.EffectiveBitrate);
        b.SetBitrateLimit(100);
        Assert.Equal(300_000, pipeline.EffectiveBitrate);
        b.Dispose();
        Assert.Equal(1_200_000, pipeline.EffectiveBitrate);
    }

    [Fact]
    public void ASubscriberThatThrowsDoesNotStopTheOthers()
    {
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000 });
        using var bad = pipeline.Subscribe(_ => throw new InvalidOperationException("peer gone"));
        var log = new FrameLog();
        using var good = pipeline.Subscribe(log.Add);
        Publish(hub, 160, 120, 0);
        Publish(hub, 160, 120, 1);
        log.WaitUntil(() => log.Count >= 1 && pipeline.EncodedFrames >= 1);
        Publish(hub, 160, 120, 2);
        log.WaitUntil(() => log.Frames.Any(f => !f.IsKeyframe));
    }

    [Fact]
    public void AFrameTheEncoderSkipsIsNoFailureAndBringsNoKeyframe()
    {
        // Noise at 50 kbit/s with frame dropping on: libvpx's rate control skips frames. A skip used to be taken for
        // an encoder failure: a new encoder, so a keyframe, after every skip.
        var hub = new FrameHub();
        using var pipeline = new VideoPipeline(hub, new VideoOptions
        {
            Bitrate = 50_000, MinBitrate = 50_000, MaxBitrate = 50_000, DropFrameThreshold = 100, MaxFps = 30, StaticRepeatMs = 60_000,
        });
        var log = new FrameLog();
        using var subscription = pipeline.Subscribe(log.Add);
        var random = new Random(7);
        for (var i = 0; i < 40; i++)
        {
            var rgb = new byte[320 * 240 * 3];
            random.NextBytes(rgb);
            hub.Publish(new ScreenFrame(JpegTestEncoder.Encode(rgb, 320, 240, JpegTestEncoder.Subsample420, 95), 320, 240, i, Stopwatch.GetTimestamp()));
            Thread.Sleep(35);
        }
        log.WaitUntil(() => pipeline.EncodedFrames >= 30);
        Assert.True(pipeline.SkippedByEncoder > 0, $"libvpx skipped nothing of {pipeline.EncodedFrames} frames");
        Assert.Equal(1, pipeline.Keyframes);
        Assert.Equal(1, log.Frames.Count(f => f.IsKeyframe));
    }

    [Fact]
    public void TheHubsOldPictureReachesANewSubscriberStampedNow()
    {
        var hub = new FrameHub();
        var old = Stopwatch.GetTimestamp() - (5 * Stopwatch.Frequency);
        hub.Publish(new ScreenFrame(TestPictures.Jpeg(320, 240, 0), 320, 240, 0, old)); // a static page: 5 s ago, never again
        using var pipeline = new VideoPipeline(hub, new VideoOptions { StaticRepeatMs = 60_000 });
        var log = new FrameLog();
        var subscribed = Stopwatch.GetTimestamp();
        using var subscription = pipeline.Subscribe(log.Add);
        log.WaitFor(1);
        Assert.True(log.Frames[0].CapturedAt >= subscribed, "the first frame carries its 5 s old capture time");

        // A second viewer joins the same static page: its keyframe is stamped now too, not with the hub's old time.
        var second = new FrameLog();
        var joined = Stopwatch.GetTimestamp();
        using var other = pipeline.Subscribe(second.Add);
        second.WaitFor(1);
        Assert.True(second.Frames[0].CapturedAt >= joined, "the second viewer's first frame carries an old capture time");
    }

    private static void Publish(FrameHub hub, int width, int height, int index) =>
        hub.Publish(new ScreenFrame(TestPictures.Jpeg(width, height, index), width, height, index, Stopwatch.GetTimestamp()));

    private sealed class FrameLog
    {
        private readonly ConcurrentQueue<EncodedVideoFrame> _frames = new();

        public int Count => _frames.Count;

        public EncodedVideoFrame[] Frames => [.. _frames];

        public void Add(EncodedVideoFrame frame) => _frames.Enqueue(frame);

        public void WaitFor(int count) => WaitUntil(() => _frames.Count >= count);

        public void WaitUntil(Func<bool> condition)
        {
            var clock = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(clock.Elapsed < Patience, $"timed out with {Count} frames");
                Thread.Sleep(2);
            }
        }
    }
}
