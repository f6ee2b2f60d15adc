using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public sealed class Vp8PayloadDescriptorTests
{
    [Fact]
    public void WritesTheFourByteFormWithA15BitPictureId()
    {
        var buffer = new byte[4];
        Vp8PayloadDescriptor.Write(buffer, startOfPartition: true, partitionId: 0, pictureId: 0x1234);
        // X=1 S=1 PID=0 | I=1 | M=1 + 15-bit id
        Assert.Equal(Hex.Bytes("90 80 92 34"), buffer);

        Vp8PayloadDescriptor.Write(buffer, startOfPartition: false, partitionId: 0, pictureId: 0x7FFF);
        Assert.Equal(Hex.Bytes("80 80 FF FF"), buffer);
    }

    [Theory]
    [InlineData("10 AA", 1, null, null, null, null)] // no extension
    [InlineData("90 80 05 AA", 3, 5, null, null, null)] // 7-bit picture id
    [InlineData("90 80 81 23 AA", 4, 0x123, null, null, null)] // 15-bit picture id
    [InlineData("90 F0 81 23 11 C5 AA", 6, 0x123, 0x11, 3, 5)] // I L T K
    [InlineData("80 20 40 AA", 3, null, null, 1, null)] // T only
    public void ParsesEveryRfc7741Form(string hex, int length, int? pictureId, int? tl0, int? tid, int? keyIndex)
    {
        Assert.True(Vp8PayloadDescriptor.TryParse(Hex.Bytes(hex), out var descriptor, out var parsedLength));
        Assert.Equal(length, parsedLength);
        Assert.Equal(pictureId, descriptor!.Value.PictureId);
        Assert.Equal(tl0, descriptor.Value.Tl0PicIdx);
        Assert.Equal(tid, descriptor.Value.TemporalLayer);
        Assert.Equal(keyIndex, descriptor.Value.KeyIndex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("80")]
    [InlineData("80 80")]
    [InlineData("80 80 80")]
    [InlineData("80 40")]
    [InlineData("80 10")]
    public void RejectsTruncatedDescriptors(string hex)
    {
        Assert.False(Vp8PayloadDescriptor.TryParse(Hex.Bytes(hex), out _, out _));
    }
}
