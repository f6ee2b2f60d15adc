using BrowserIsolation.Orchestrator.Runners;

namespace BrowserIsolation.Tests.Unit.Orchestrator;

/// <summary>A runner's answer is read with a cap: an endless or oversized body stops at the cap instead of filling memory.</summary>
[Trait("Category", "Unit")]
public sealed class RunnerResponseBodyTests
{
    /// <summary>Produces bytes for ever and counts what was read.</summary>
    private sealed class EndlessStream : Stream
    {
        public long Served { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, (byte)'x', offset, count);
            Served += count;
            return count;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task AnEndlessBodyIsCutAtTheCap()
    {
        var source = new EndlessStream();
        using var content = new StreamContent(source);
        await Assert.ThrowsAsync<RunnerAnswerTooLargeException>(() => RunnerResponseBody.ReadAsync(content, 100_000, CancellationToken.None));
        Assert.InRange(source.Served, 100_001, 100_001 + 16 * 1024);
    }

    [Fact]
    public async Task ADeclaredOversizedBodyIsNotReadAtAll()
    {
        var source = new EndlessStream();
        using var content = new StreamContent(source);
        content.Headers.ContentLength = 10_000_000;
        await Assert.ThrowsAsync<RunnerAnswerTooLargeException>(() => RunnerResponseBody.ReadAsync(content, 100_000, CancellationToken.None));
        Assert.Equal(0, source.Served);
    }

    [Fact]
    public async Task BodiesWithinTheCapArriveWhole()
    {
        using var content = new StringContent("""{"tabs":[]}""");
        Assert.Equal("""{"tabs":[]}""", await RunnerResponseBody.ReadStringAsync(content, 11, CancellationToken.None));
        using var json = new StringContent("""{"fps":12.5}""");
        Assert.Equal(12.5, (await RunnerResponseBody.ReadJsonAsync<System.Text.Json.JsonElement>(json, CancellationToken.None)).GetProperty("fps").GetDouble());
    }
}
