using System.Net;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Tests.Unit.Policy;

[Trait("Category", "Unit")]
public class AddressGuardTests
{
    private static AddressGuard Guard(Action<EgressOptions>? configure = null, params IPAddress[] own)
    {
        var options = new EgressOptions { DenyLocalInterfaces = false };
        configure?.Invoke(options);
        return new AddressGuard(options, own);
    }

    private static AddressVerdict JudgeHost(AddressGuard guard, string host, int port = 80)
    {
        Assert.True(HostNormalizer.TryNormalize(host, out var normalized, out var error), error);
        return guard.Judge(normalized.Address!, port);
    }

    [Theory]
    // IPv4 special-purpose ranges
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.255.254", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link_local")]
    [InlineData("169.254.0.1", "link_local")]
    [InlineData("100.64.0.1", "cgnat")]
    [InlineData("100.127.255.255", "cgnat")]
    [InlineData("0.0.0.0", "this_network")]
    [InlineData("0.1.2.3", "this_network")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("240.0.0.1", "reserved")]
    [InlineData("192.0.0.8", "reserved")]
    [InlineData("192.0.2.1", "documentation")]
    [InlineData("198.51.100.1", "documentation")]
    [InlineData("203.0.113.1", "documentation")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("198.19.255.255", "benchmarking")]
    [InlineData("192.88.99.1", "reserved")]
    // Other notations of the same addresses
    [InlineData("2852039166", "link_local")]
    [InlineData("0xa9fea9fe", "link_local")]
    [InlineData("025177524776", "link_local")]
    [InlineData("0x7f000001", "loopback")]
    [InlineData("017700000001", "loopback")]
    [InlineData("2130706433", "loopback")]
    [InlineData("127.1", "loopback")]
    [InlineData("0x7f.1", "loopback")]
    [InlineData("0x0a.0.0.1", "private")]
    [InlineData("0", "this_network")]
    // IPv6
    [InlineData("[::1]", "loopback")]
    [InlineData("[::]", "this_network")]
    [InlineData("[fc00::1]", "unique_local")]
    [InlineData("[fd12:3456::1]", "unique_local")]
    [InlineData("[fe80::1]", "link_local")]
    [InlineData("[febf::1]", "link_local")]
    [InlineData("[fec0::1]", "site_local")]
    [InlineData("[ff02::1]", "multicast")]
    [InlineData("[ff05::1:3]", "multicast")]
    [InlineData("[2001:db8::1]", "documentation")]
    [InlineData("[2001::1]", "reserved")]
    [InlineData("[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "reserved")]
    [InlineData("[100::1]", "reserved")]
    [InlineData("[64:ff9b:1::a00:1]", "nat64_local")]
    [InlineData("[::127.0.0.1]", "ipv4_compatible")]
    [InlineData("[::8.8.8.8]", "ipv4_compatible")]
    // IPv6 forms carrying a refused IPv4 address are judged by that address
    [InlineData("[::ffff:127.0.0.1]", "loopback")]
    [InlineData("[::ffff:7f00:1]", "loopback")]
    [InlineData("[::ffff:169.254.169.254]", "link_local")]
    [InlineData("[::ffff:10.0.0.1]", "private")]
    [InlineData("[::ffff:0:10.0.0.1]", "private")]
    [InlineData("[64:ff9b::127.0.0.1]", "loopback")]
    [InlineData("[64:ff9b::a9fe:a9fe]", "link_local")]
    [InlineData("[2002:7f00:1::1]", "loopback")]
    [InlineData("[2002:a9fe:a9fe::]", "link_local")]
    [InlineData("[2002:c0a8:0101::1]", "private")]
    [InlineData("[::ffff:0.0.0.0]", "this_network")]
    public void SpecialPurposeAddressesAreRefused(string host, string category)
    {
        var verdict = JudgeHost(Guard(), host);
        Assert.False(verdict.Allowed, verdict.Reason);
        Assert.Equal(category, verdict.Category);
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("192.0.1.1")]
    [InlineData("223.255.255.254")]
    [InlineData("[2606:4700:4700::1111]")]
    [InlineData("[::ffff:8.8.8.8]")]
    [InlineData("[64:ff9b::8.8.8.8]")]
    [InlineData("[2002:0808:0808::1]")]
    public void PublicAddressesAreAllowed(string host)
    {
        var verdict = JudgeHost(Guard(), host);
        Assert.True(verdict.Allowed, verdict.Reason);
    }

    [Fact]
    public void ReasonNamesTheEmbeddedAddress()
    {
        var verdict = JudgeHost(Guard(), "[2002:a9fe:a9fe::]");
        Assert.Contains("169.254.169.254", verdict.Reason);
        Assert.Contains("6to4", verdict.Reason);
    }

    [Fact]
    public void AllowCidrsOpenAnExceptionAndOnlyThatException()
    {
        var guard = Guard(o => o.AllowCidrs = ["127.0.0.2/32", "10.1.0.0/16", "fd00:1::/32"]);
        Assert.True(JudgeHost(guard, "127.0.0.2").Allowed);
        Assert.True(JudgeHost(guard, "[::ffff:127.0.0.2]").Allowed);
        Assert.True(JudgeHost(guard, "10.1.200.3").Allowed);
        Assert.True(JudgeHost(guard, "[fd00:1:2::3]").Allowed);
        Assert.False(JudgeHost(guard, "127.0.0.3").Allowed);
        Assert.False(JudgeHost(guard, "10.2.0.1").Allowed);
        Assert.False(JudgeHost(guard, "[fd00:2::1]").Allowed);
    }

    [Fact]
    public void AllowHostPortsMatchAddressAndPort()
    {
        var guard = Guard(o => o.AllowHostPorts = ["127.0.0.2:8080", "[::1]:9000", "0x7f000004:81"]);
        Assert.True(JudgeHost(guard, "127.0.0.2", 8080).Allowed);
        Assert.False(JudgeHost(guard, "127.0.0.2", 8081).Allowed);
        Assert.True(JudgeHost(guard, "[::1]", 9000).Allowed);
        Assert.False(JudgeHost(guard, "[::1]", 9001).Allowed);
        Assert.True(JudgeHost(guard, "127.0.0.4", 81).Allowed);
    }

    [Fact]
    public void AllowedNameMatchesOnlyThatNameAndPort()
    {
        var guard = Guard(o => o.AllowHostPorts = ["Wiki.Corp.:443"]);
        Assert.True(guard.IsNameAllowed("wiki.corp", 443));
        Assert.True(guard.Judge(IPAddress.Parse("10.0.0.5"), 443, "wiki.corp").Allowed);
        Assert.False(guard.Judge(IPAddress.Parse("10.0.0.5"), 443, "other.corp").Allowed);
        Assert.False(guard.Judge(IPAddress.Parse("10.0.0.5"), 80, "wiki.corp").Allowed);
        Assert.False(guard.Judge(IPAddress.Parse("10.0.0.5"), 443).Allowed);
    }

    [Fact]
    public void UnspecifiedMulticastAndBroadcastStayRefusedWhateverTheAllowList()
    {
        var guard = Guard(o => o.AllowCidrs = ["0.0.0.0/0", "::/0"]);
        Assert.True(JudgeHost(guard, "127.0.0.1").Allowed);
        Assert.False(JudgeHost(guard, "0.0.0.0").Allowed);
        Assert.False(JudgeHost(guard, "[::]").Allowed);
        Assert.False(JudgeHost(guard, "224.0.0.251").Allowed);
        Assert.False(JudgeHost(guard, "255.255.255.255").Allowed);
        Assert.False(JudgeHost(guard, "[ff02::fb]").Allowed);
    }

    [Fact]
    public void DenyListAndOwnAddressesBeatTheAllowList()
    {
        var guard = Guard(o =>
        {
            o.AllowCidrs = ["10.0.0.0/8", "0.0.0.0/0"];
            o.DenyCidrs = ["10.9.0.0/16", "8.8.4.4"];
        }, IPAddress.Parse("10.0.0.5"));
        Assert.True(JudgeHost(guard, "10.1.1.1").Allowed);
        Assert.Equal("operator_deny", JudgeHost(guard, "10.9.0.1").Category);
        Assert.Equal("operator_deny", JudgeHost(guard, "8.8.4.4").Category);
        Assert.Equal("operator_deny", JudgeHost(guard, "[::ffff:8.8.4.4]").Category);
        Assert.Equal("own_address", JudgeHost(guard, "10.0.0.5").Category);
    }

    [Fact]
    public void AnExactHostPortMayNameThisHostButNotBeatTheDenyList()
    {
        var guard = Guard(o =>
        {
            o.AllowHostPorts = ["10.0.0.5:8080", "8.8.4.4:53"];
            o.DenyCidrs = ["8.8.4.4"];
        }, IPAddress.Parse("10.0.0.5"));
        Assert.True(JudgeHost(guard, "10.0.0.5", 8080).Allowed);
        Assert.Equal("own_address", JudgeHost(guard, "10.0.0.5", 8081).Category);
        Assert.Equal("operator_deny", JudgeHost(guard, "8.8.4.4", 53).Category);
    }

    [Fact]
    public void IPv4MappedFormsCannotDodgeTheIPv4Rules()
    {
        var guard = Guard(o =>
        {
            o.AllowCidrs = ["::/0"];
            o.DenyCidrs = ["8.8.4.4"];
        }, IPAddress.Parse("10.0.0.5"));
        Assert.Equal("loopback", JudgeHost(guard, "[::ffff:127.0.0.1]").Category);
        Assert.Equal("operator_deny", JudgeHost(guard, "[::ffff:8.8.4.4]").Category);
        Assert.Equal("own_address", JudgeHost(guard, "[::ffff:10.0.0.5]").Category);
        Assert.Equal("operator_deny", JudgeHost(guard, "[64:ff9b::8.8.4.4]").Category);
        Assert.Equal("own_address", JudgeHost(guard, "[2002:0a00:0005::1]").Category);
    }

    [Fact]
    public void LocalInterfaceAddressesAreRefusedByDefault()
    {
        var own = AddressGuard.LocalInterfaceAddresses().FirstOrDefault(a => !IPAddress.IsLoopback(a));
        Assert.NotNull(own); // every test machine has at least one non-loopback interface address
        var guard = new AddressGuard(new EgressOptions { AllowCidrs = ["0.0.0.0/0", "::/0"] });
        var verdict = guard.Judge(own, 80);
        Assert.False(verdict.Allowed);
        Assert.Equal("own_address", verdict.Category);
    }

    [Fact]
    public void ScopeIdsDoNotEscapeTheGuard()
    {
        var scoped = IPAddress.Parse("fe80::1%2");
        Assert.False(Guard().Judge(scoped, 80).Allowed);
        var loop = IPAddress.Parse("::1%1");
        Assert.Equal("loopback", Guard().Judge(loop, 80).Category);
    }

    [Theory]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/33")]
    [InlineData("banana")]
    [InlineData("fe80::1%eth0/128")]
    public void BadCidrsFailAtConstruction(string cidr)
    {
        Assert.Throws<FormatException>(() => Guard(o => o.AllowCidrs = [cidr]));
    }

    [Theory]
    [InlineData("127.0.0.2")]
    [InlineData("127.0.0.2:0")]
    [InlineData("::1:80")]
    public void BadHostPortsFailAtConstruction(string entry)
    {
        Assert.Throws<FormatException>(() => Guard(o => o.AllowHostPorts = [entry]));
    }
}
