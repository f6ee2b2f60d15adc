using BrowserIsolation.Orchestrator.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace BrowserIsolation.Tests.Unit.Auth;

[Trait("Category", "Unit")]
public sealed class ListenAndOriginTests
{
    [Theory]
    [InlineData("http://localhost:8090", true)]
    [InlineData("http://127.0.0.1:0", true)]
    [InlineData("http://127.8.9.10:80", true)]
    [InlineData("https://[::1]:443", true)]
    [InlineData("http://0.0.0.0:8090", false)]
    [InlineData("http://*:8090", false)]
    [InlineData("http://+:8090", false)]
    [InlineData("http://[::]:8090", false)]
    [InlineData("http://example.com:80", false)]
    [InlineData("http://192.168.1.5:80", false)]
    public void LoopbackUrls(string url, bool loopback) => Assert.Equal(loopback, ListenAddressGuard.IsLoopbackUrl(url));

    [Fact]
    public void WithoutKeysOnlyLoopbackMayBeConfigured()
    {
        static IConfiguration Config(params (string, string)[] pairs) =>
            new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Item1, p.Item2))).Build();
        var off = new AuthOptions();
        var on = new AuthOptions { ApiKeys = ["k"] };
        Assert.Null(ListenAddressGuard.Refusal(Config(("urls", "http://127.0.0.1:0;http://localhost:1")), off));
        Assert.Contains("0.0.0.0", ListenAddressGuard.Refusal(Config(("urls", "http://127.0.0.1:0;http://0.0.0.0:1")), off));
        Assert.NotNull(ListenAddressGuard.Refusal(Config(("Kestrel:Endpoints:Http:Url", "http://*:80")), off));
        Assert.NotNull(ListenAddressGuard.Refusal(Config(("http_ports", "8080")), off));
        Assert.Null(ListenAddressGuard.Refusal(Config(("urls", "http://0.0.0.0:1")), on));
    }

    [Fact]
    public void OriginsAreSameOriginOrListed()
    {
        var policy = new OriginPolicy(Options.Create(new AuthOptions { AllowedOrigins = ["https://App.Example.com/", "http://localhost:5173"] }));
        var request = new DefaultHttpContext().Request;
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 8090);
        Assert.True(policy.IsAllowed("http://127.0.0.1:8090", request));
        Assert.True(policy.IsAllowed("https://app.example.com", request));
        Assert.True(policy.IsAllowed("https://app.example.com:443", request));
        Assert.True(policy.IsAllowed("http://localhost:5173", request));
        Assert.False(policy.IsAllowed("http://127.0.0.1:8091", request));
        Assert.False(policy.IsAllowed("https://app.example.com.evil.test", request));
        Assert.False(policy.IsAllowed("null", request));
        Assert.False(policy.IsAllowed("http://localhost:8090", request));
    }

    [Theory]
    [InlineData("localhost:8090", true)]
    [InlineData("app.localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]:80", true)]
    [InlineData("evil.example:8090", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("10.0.0.1", false)]
    public void LoopbackHostHeaders(string host, bool loopback) => Assert.Equal(loopback, OriginPolicy.IsLoopbackHost(new HostString(host)));
}
