using System.Diagnostics;
using BrowserIsolation.Runner.Capture;
using BrowserIsolation.Tests.Unit.Media;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// Publishes real 4:2:0 JPEGs (libjpeg-turbo encoded: a banner, text stripes and a moving box) into a FrameHub
/// at a steady rate, standing where the screencast stands in a runner.
/// </summary>
internal sealed class FrameFeeder : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FrameFeeder(FrameHub hub, int width, int height, int fps)
    {
        var frames = Enumerable.Range(0, 30)
            .Select(i => JpegTestEncoder.Encode(TestPictures.Rgb(width, height, i), width, height, JpegTestEncoder.Subsample420, 80))
            .ToArray();
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / fps));
            long sequence = 0;
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                hub.Publish(new ScreenFrame(frames[sequence % frames.Length], width, height, ++sequence, Stopwatch.GetTimestamp()));
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
