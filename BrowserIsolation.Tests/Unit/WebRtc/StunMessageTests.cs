using System.Net;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class StunMessageTests
{
    [Fact]
    public void Rfc5769SampleRequestParsesAndVerifies()
    {
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769Request, out var message));
        Assert.Equal(StunMessage.BindingRequest, message.Type);
        Assert.True(message.IsRequest);
        Assert.Equal(1, message.Method);
        Assert.Equal(Vectors.Hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae"), message.TransactionId.ToArray());
        Assert.Equal("STUN test client", message.Software);
        Assert.Equal("evtj:h6vY", message.Username);
        Assert.Equal(0x6e0001ffu, message.Priority);
        Assert.Equal(0x932ff9b151263b36ul, message.IceControlled);
        Assert.Null(message.IceControlling);
        Assert.False(message.UseCandidate);
        Assert.True(message.HasFingerprint);
        Assert.True(message.HasIntegrity);
        Assert.True(message.VerifyIntegrity(Vectors.Rfc5769Password));
        Assert.False(message.VerifyIntegrity("VOkJxbRl1RmTxUk/WvJxBT"));
    }

    [Fact]
    public void Rfc5769IPv4ResponseDecodesTheXorMappedAddress()
    {
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769IPv4Response, out var message));
        Assert.True(message.IsSuccessResponse);
        Assert.Equal("test vector", message.Software);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853), message.XorMappedAddress);
        Assert.True(message.HasFingerprint);
        Assert.True(message.VerifyIntegrity(Vectors.Rfc5769Password));
    }

    [Fact]
    public void Rfc5769IPv6ResponseDecodesTheXorMappedAddress()
    {
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769IPv6Response, out var message));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8:1234:5678:11:2233:4455:6677"), 32853), message.XorMappedAddress);
        Assert.True(message.VerifyIntegrity(Vectors.Rfc5769Password));
    }

    [Theory]
    [InlineData("192.0.2.1", 32853)]
    [InlineData("2001:db8:1234:5678:11:2233:4455:6677", 32853)]
    public void BuildingTheRfcResponsesReproducesTheirAddressBytes(string address, int port)
    {
        var transaction = Vectors.Hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");
        var built = new StunMessage(StunMessage.BindingSuccessResponse, transaction)
            .AddString(StunAttributeType.Software, "test vector")
            .AddXorMappedAddress(new IPEndPoint(IPAddress.Parse(address), port));
        var bytes = built.ToBytes(Vectors.Rfc5769Password);
        var expected = address.Contains(':') ? Vectors.Rfc5769IPv6Response : Vectors.Rfc5769IPv4Response;
        // Same layout as the RFC; only SOFTWARE's padding differs (the RFC pads with 0x20, we pad with zeros).
        Assert.Equal(expected.Length, bytes.Length);
        Assert.Equal(expected[..20], bytes[..20]);
        Assert.Equal(expected.AsSpan(36, expected.Length - 36 - 32).ToArray(), bytes.AsSpan(36, bytes.Length - 36 - 32).ToArray());
        Assert.True(StunMessage.TryParse(bytes, out var parsed));
        Assert.True(parsed.VerifyIntegrity(Vectors.Rfc5769Password));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), parsed.XorMappedAddress);
    }

    [Fact]
    public void RoundTripKeepsEveryAttribute()
    {
        var request = StunMessage.Create(StunMessage.BindingRequest)
            .AddString(StunAttributeType.Username, "abcd:efgh")
            .AddUInt32(StunAttributeType.Priority, 1853824767)
            .AddFlag(StunAttributeType.UseCandidate)
            .AddUInt64(StunAttributeType.IceControlling, 0x0102030405060708);
        var bytes = request.ToBytes("the-password-is-long-enough");
        Assert.True(StunMessage.TryParse(bytes, out var parsed));
        Assert.Equal("abcd:efgh", parsed.Username);
        Assert.Equal(1853824767u, parsed.Priority);
        Assert.True(parsed.UseCandidate);
        Assert.Equal(0x0102030405060708ul, parsed.IceControlling);
        Assert.True(parsed.VerifyIntegrity("the-password-is-long-enough"));
        Assert.False(parsed.VerifyIntegrity("another-password-entirely"));
    }

    [Fact]
    public void ErrorCodeRoundTrips()
    {
        var bytes = StunMessage.Create(StunMessage.BindingErrorResponse).AddErrorCode(487, "Role Conflict").ToBytes();
        Assert.True(StunMessage.TryParse(bytes, out var parsed));
        Assert.True(parsed.IsErrorResponse);
        Assert.Equal((487, "Role Conflict"), parsed.Error);
        Assert.False(parsed.HasIntegrity);
    }

    [Fact]
    public void AnyFlippedBitIsCaughtByFingerprintOrIntegrity()
    {
        for (var i = 0; i < Vectors.Rfc5769Request.Length * 8; i++)
        {
            var copy = (byte[])Vectors.Rfc5769Request.Clone();
            copy[i / 8] ^= (byte)(1 << (i % 8));
            // (Flipping FINGERPRINT's type makes it an unknown attribute after MESSAGE-INTEGRITY, which STUN ignores:
            // the message then simply has no fingerprint, which ICE refuses.)
            var accepted = StunMessage.TryParse(copy, out var parsed) && parsed.HasFingerprint && parsed.VerifyIntegrity(Vectors.Rfc5769Password);
            Assert.False(accepted, $"bit {i} flipped went unnoticed");
        }
    }

    [Fact]
    public void MalformedInputIsRefusedNotThrown()
    {
        Assert.False(StunMessage.TryParse([], out _));
        Assert.False(StunMessage.TryParse(new byte[19], out _));
        Assert.False(StunMessage.TryParse(Vectors.Rfc5769Request.AsSpan(0, 40), out _)); // length field disagrees
        var badCookie = (byte[])Vectors.Rfc5769Request.Clone();
        badCookie[4] = 0;
        Assert.False(StunMessage.TryParse(badCookie, out _));
        // An attribute claiming more bytes than the message holds.
        var overrun = Vectors.Hex("00 01 00 08 21 12 a4 42 00 00 00 00 00 00 00 00 00 00 00 00 00 06 00 40 61 62 63 64");
        Assert.False(StunMessage.TryParse(overrun, out _));
    }
}
