namespace BrowserIsolation.Runner.Capture;

/// <summary>One screencast frame as Chromium sent it.</summary>
/// <param name="Jpeg">The JPEG bytes (4:2:0, as Chromium encodes screencasts).</param>
/// <param name="Width">Device width of the frame in pixels.</param>
/// <param name="Height">Device height of the frame in pixels.</param>
/// <param name="Sequence">Monotonic frame number within this runner.</param>
/// <param name="CapturedAt">Stopwatch timestamp when the runner received it (for RTP timestamps and latency).</param>
/// <param name="IsRepeat">True when the frame is the previous picture sent again to keep a static stream alive.</param>
public sealed record ScreenFrame(byte[] Jpeg, int Width, int Height, long Sequence, long CapturedAt, bool IsRepeat = false);
