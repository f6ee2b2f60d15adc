using System.Net;
using System.Net.NetworkInformation;
using BrowserIsolation.Orchestrator.Runners.Docker;

namespace BrowserIsolation.Tests.Unit.Docker;

public sealed class DockerHostAddressesTests
{
    [Fact]
    public void ALocalDaemonsRunnersMayNotReachAnyAddressOfThisHostNorTheAnnouncedOnes()
    {
        var found = DockerHostAddresses.Find(DockerEndpoint.Parse("unix:///var/run/docker.sock"), "127.0.0.1", "203.0.113.9");
        Assert.Contains(IPAddress.Parse("203.0.113.9"), found);
        Assert.Contains(IPAddress.Loopback, found);
        foreach (var local in NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses)
                     .Select(u => u.Address).Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork))
        {
            Assert.Contains(local, found); // docker0's gateway (host.docker.internal) among them, when there is one
        }
        Assert.All(found, a => Assert.DoesNotContain("%", a.ToString()));
    }

    [Fact]
    public void ARemoteDaemonsHostAnnounceHostAndPublicIpAreDenied()
    {
        var found = DockerHostAddresses.Find(DockerEndpoint.Parse("tcp://198.51.100.4:2375"), "198.51.100.5", "203.0.113.9");
        Assert.Equal(["198.51.100.5", "203.0.113.9", "198.51.100.4"], found.Select(a => a.ToString()));
        Assert.Equal(["Policy__Egress__DenyCidrs__2=198.51.100.5", "Policy__Egress__DenyCidrs__3=203.0.113.9", "Policy__Egress__DenyCidrs__4=198.51.100.4"],
            DockerHostAddresses.Environment(found, 2));
    }
}
