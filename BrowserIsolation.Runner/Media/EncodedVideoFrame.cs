namespace BrowserIsolation.Runner.Media;

/// <summary>One VP8 frame, encoded once and shared by every peer (never mutate <paramref name="Data"/>).</summary>
/// <param name="Data">The VP8 bitstream of the frame, as libvpx produced it.</param>
/// <param name="IsKeyframe">True for a keyframe (decodable on its own).</param>
/// <param name="CapturedAt">Stopwatch timestamp of the capture; RTP timestamps derive from it.</param>
/// <param name="Width">Picture width in pixels.</param>
/// <param name="Height">Picture height in pixels.</param>
public sealed record EncodedVideoFrame(byte[] Data, bool IsKeyframe, long CapturedAt, int Width, int Height);
