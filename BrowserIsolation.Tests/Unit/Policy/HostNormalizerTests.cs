using System.Net;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Unit.Policy;

[Trait("Category", "Unit")]
public class HostNormalizerTests
{
    [Theory]
    [InlineData("2852039166", "169.254.169.254")]
    [InlineData("0xA9FEA9FE", "169.254.169.254")]
    [InlineData("0251.0376.0251.0376", "169.254.169.254")]
    [InlineData("0xa9.0xfe.0xa9.0xfe", "169.254.169.254")]
    [InlineData("169.254.43518", "169.254.169.254")]
    [InlineData("0x7f000001", "127.0.0.1")]
    [InlineData("0X7F000001", "127.0.0.1")]
    [InlineData("017700000001", "127.0.0.1")]
    [InlineData("2130706433", "127.0.0.1")]
    [InlineData("127.1", "127.0.0.1")]
    [InlineData("127.0.1", "127.0.0.1")]
    [InlineData("0x7f.1", "127.0.0.1")]
    [InlineData("0177.0.0.01", "127.0.0.1")]
    [InlineData("127.0.0.1.", "127.0.0.1")]
    [InlineData("0", "0.0.0.0")]
    [InlineData("0x", "0.0.0.0")]
    [InlineData("%31%32%37.0.0.1", "127.0.0.1")]
    [InlineData("%30x7f000001", "127.0.0.1")]
    [InlineData("１２７.０.０.１", "127.0.0.1")]
    [InlineData("１２７.０.０.１.", "127.0.0.1")]
    [InlineData("127。0。0。1", "127.0.0.1")]
    [InlineData("127．0．0．1", "127.0.0.1")]
    [InlineData("[::1]", "::1")]
    [InlineData("[0:0:0:0:0:0:0:1]", "::1")]
    [InlineData("[::ffff:127.0.0.1]", "::ffff:127.0.0.1")]
    [InlineData("[::ffff:7f00:1]", "::ffff:127.0.0.1")]
    [InlineData("[FE80::1]", "fe80::1")]
    public void EveryNotationOfAnAddressBecomesThatAddress(string input, string expected)
    {
        Assert.True(HostNormalizer.TryNormalize(input, out var host, out var error), error);
        Assert.Equal(IPAddress.Parse(expected), host.Address);
    }

    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("ex%41mple.com", "example.com")]
    [InlineData("ＥＸＡＭＰＬＥ.com", "example.com")]
    [InlineData("bücher.de", "xn--bcher-kva.de")]
    [InlineData("localhost", "localhost")]
    [InlineData("1.2.3.0xg", "1.2.3.0xg")]
    [InlineData("1.2.3.4.example", "1.2.3.4.example")]
    [InlineData("under_score.test", "under_score.test")]
    public void NamesAreLowerCaseAsciiWithoutTrailingDot(string input, string expected)
    {
        Assert.True(HostNormalizer.TryNormalize(input, out var host, out var error), error);
        Assert.False(host.IsAddress);
        Assert.Equal(expected, host.Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("4294967296")]
    [InlineData("0x100000000")]
    [InlineData("1.2.3.08")]
    [InlineData("a.0x")]
    [InlineData("1.256.3.4")]
    [InlineData("example.1")]
    [InlineData("[::1")]
    [InlineData("[fe80::1%25eth0]")]
    [InlineData("[fe80::1%eth0]")]
    [InlineData("[127.0.0.1]")]
    [InlineData("[::1] ")]
    [InlineData("a b.com")]
    [InlineData("a..b")]
    [InlineData("exa%mple.com")]
    [InlineData("ex%ffample.com")]
    [InlineData("evil.com%2f@127.0.0.1")]
    [InlineData("127.0.0.1%00.evil.com")]
    [InlineData("𝟏𝟐𝟕.0.0.1")]
    [InlineData("①②⑦.0.0.1")]
    public void AmbiguousOrInvalidHostsFail(string input)
    {
        Assert.False(HostNormalizer.TryNormalize(input, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void BracketedIPv6PrintsWithBrackets()
    {
        Assert.True(HostNormalizer.TryNormalize("[::1]", out var host, out _));
        Assert.Equal("[::1]", host.ToString());
        Assert.Equal("::1", host.Name);
    }

    [Theory]
    [InlineData("127.0.0.1:80", null, "127.0.0.1", 80)]
    [InlineData("[::1]:8443", null, "[::1]", 8443)]
    [InlineData("example.com", 80, "example.com", 80)]
    [InlineData("[::1]", 443, "[::1]", 443)]
    public void HostPortSplits(string input, int? defaultPort, string host, int port)
    {
        Assert.True(HostPort.TrySplit(input, defaultPort, out var h, out var p));
        Assert.Equal(host, h);
        Assert.Equal(port, p);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("example.com:0")]
    [InlineData("example.com:65536")]
    [InlineData("example.com:+80")]
    [InlineData("::1:80")]
    [InlineData("[::1]x:80")]
    [InlineData("user@example.com:80")]
    [InlineData(":80")]
    public void HostPortRejects(string input)
    {
        Assert.False(HostPort.TrySplit(input, null, out _, out _));
    }
}
