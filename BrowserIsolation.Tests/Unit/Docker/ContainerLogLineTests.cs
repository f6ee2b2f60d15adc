using System.Buffers.Binary;
using System.Text;
using Docker.DotNet;
using BrowserIsolation.Orchestrator.Runners.Docker;

namespace BrowserIsolation.Tests.Unit.Docker;

public sealed class ContainerLogLineTests
{
    [Fact]
    public async Task Multiplexed_frames_become_lines_per_stream_even_when_a_line_spans_frames()
    {
        var body = Frames((1, "first li"), (2, "oops\n"), (1, "ne\nsecond\n"), (1, "grüße ohne Zeilenende"));

        var lines = await ContainerLogLine.ReadAsync(new MultiplexedStream(new MemoryStream(body), multiplexed: true), CancellationToken.None);

        // In the order lines were completed.
        Assert.Equal(
            [new(true, "oops"), new(false, "first line"), new(false, "second"), new(false, "grüße ohne Zeilenende")],
            lines);
    }

    [Fact]
    public async Task A_utf8_character_split_across_frames_survives()
    {
        var bytes = Encoding.UTF8.GetBytes("é\n");
        var body = Frames(bytes[..1], bytes[1..]);

        var lines = await ContainerLogLine.ReadAsync(new MultiplexedStream(new MemoryStream(body), multiplexed: true), CancellationToken.None);

        Assert.Equal("é", Assert.Single(lines).Text);
    }

    [Fact]
    public async Task A_tty_stream_is_taken_as_is()
    {
        var lines = await ContainerLogLine.ReadAsync(new MultiplexedStream(new MemoryStream(Encoding.UTF8.GetBytes("plain\r\ntext")), multiplexed: false), CancellationToken.None);

        Assert.Equal([new(false, "plain"), new(false, "text")], lines);
    }

    [Fact]
    public async Task A_truncated_frame_keeps_what_arrived()
    {
        var body = Frames((2, "complete\n"), (2, "cut short"));
        var truncated = body[..^4];

        var lines = await ContainerLogLine.ReadAsync(new MultiplexedStream(new MemoryStream(truncated), multiplexed: true), CancellationToken.None);

        Assert.Equal(new(true, "complete"), lines[0]);
        Assert.True(lines.Count == 1 || lines[1].Text == "cut s", string.Join('|', lines));
    }

    private static byte[] Frames(params (byte Stream, string Text)[] frames) =>
        [.. frames.SelectMany(f => Frame(f.Stream, Encoding.UTF8.GetBytes(f.Text)))];

    private static byte[] Frames(params byte[][] stdoutChunks) => [.. stdoutChunks.SelectMany(c => Frame(1, c))];

    private static byte[] Frame(byte stream, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        frame[0] = stream;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }
}
