using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using BrowserIsolation.Runner.Policy;

// Direct versus through the egress proxy, on loopback. Medians and ratios, not absolute truths: 2 shared cores.
var requests = Arg("--requests", 2000);
var megabytes = Arg("--megabytes", 512);

var upstreamAddress = IPAddress.Parse("127.0.0.2");
using var http = Listen(upstreamAddress);
using var source = Listen(upstreamAddress);
var httpPort = ((IPEndPoint)http.LocalEndPoint!).Port;
var sourcePort = ((IPEndPoint)source.LocalEndPoint!).Port;
_ = Task.Run(() => ServeHttp(http));
_ = Task.Run(() => ServeBytes(source, (long)megabytes << 20));

var options = new EgressOptions { AllowCidrs = ["127.0.0.2/32"] };
var gate = new EgressGate(new AddressGuard(options), new SystemEgressResolver(), () => UrlPolicy.Default, options.ConnectTimeout);
await using var proxy = new EgressProxy(gate, options);
proxy.Start();
var proxyPort = proxy.Endpoint.Port;
Console.WriteLine($"upstream 127.0.0.2:{httpPort}, proxy 127.0.0.1:{proxyPort}, {Environment.ProcessorCount} cores");

var directRequest = Encoding.ASCII.GetBytes($"GET /small HTTP/1.1\r\nHost: 127.0.0.2\r\nConnection: close\r\n\r\n");
var proxiedRequest = Encoding.ASCII.GetBytes($"GET http://127.0.0.2:{httpPort}/small HTTP/1.1\r\nHost: 127.0.0.2\r\n\r\n");
var directEndpoint = new IPEndPoint(upstreamAddress, httpPort);
var proxyEndpoint = new IPEndPoint(IPAddress.Loopback, proxyPort);

await Exchange(directEndpoint, directRequest);
await Exchange(proxyEndpoint, proxiedRequest);
var direct = await Latencies(directEndpoint, directRequest, requests);
var proxied = await Latencies(proxyEndpoint, proxiedRequest, requests);
Console.WriteLine($"GET, new connection each (n={requests}): direct median {P(direct, 50):0.000} ms p95 {P(direct, 95):0.000} ms; " +
                  $"proxy median {P(proxied, 50):0.000} ms p95 {P(proxied, 95):0.000} ms; ratio {P(proxied, 50) / P(direct, 50):0.00}x");

var directRps = await Throughput(directEndpoint, directRequest, 32, requests);
var proxiedRps = await Throughput(proxyEndpoint, proxiedRequest, 32, requests);
Console.WriteLine($"GET, 32 concurrent clients: direct {directRps:0} req/s, proxy {proxiedRps:0} req/s ({proxiedRps / directRps:0.00}x)");

var directMbps = await Download(new IPEndPoint(upstreamAddress, sourcePort), null);
var tunnelMbps = await Download(proxyEndpoint, $"CONNECT 127.0.0.2:{sourcePort} HTTP/1.1\r\nHost: 127.0.0.2\r\n\r\n");
Console.WriteLine($"{megabytes} MiB download: direct {directMbps:0} MiB/s, CONNECT tunnel {tunnelMbps:0} MiB/s ({tunnelMbps / directMbps:0.00}x)");

var guard = new AddressGuard(options);
var addresses = new[] { "8.8.8.8", "127.0.0.1", "169.254.169.254", "::ffff:10.0.0.1", "2002:a9fe:a9fe::1", "2606:4700::1111" }
    .Select(IPAddress.Parse).ToArray();
var policy = UrlPolicy.Create(new UrlPolicyOptions { AllowList = ["*.example.com", "docs.other.org/guide/*"], BlockList = ["secret.example.com", "*/admin"] });
var urls = new[] { "https://www.example.com/a/b?c=d", "https://secret.example.com/", "https://docs.other.org/guide/x", "https://evil.net/" }
    .Select(u => new Uri(u)).ToArray();
Console.WriteLine($"AddressGuard.Judge: {Rate(i => guard.Judge(addresses[i % addresses.Length], 443)) / 1e6:0.00} M/s; " +
                  $"UrlPolicy.Evaluate: {Rate(i => policy.Evaluate(urls[i % urls.Length])) / 1e6:0.00} M/s; " +
                  $"HostNormalizer (0x7f.1): {Rate(i => HostNormalizer.TryNormalize("0x7f.1", out _, out _)) / 1e6:0.00} M/s");

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

static Socket Listen(IPAddress address)
{
    var s = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    s.Bind(new IPEndPoint(address, 0));
    s.Listen(1024);
    return s;
}

static async Task ServeHttp(Socket listener)
{
    var body = new string('x', 1024);
    var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}");
    while (true)
    {
        var client = await listener.AcceptAsync();
        _ = Task.Run(async () =>
        {
            using (client)
            {
                var buffer = new byte[4096];
                var seen = 0;
                while (true)
                {
                    var n = await client.ReceiveAsync(buffer.AsMemory(seen), SocketFlags.None);
                    if (n == 0)
                    {
                        return;
                    }
                    seen += n;
                    if (buffer.AsSpan(0, seen).IndexOf("\r\n\r\n"u8) >= 0)
                    {
                        break;
                    }
                }
                await client.SendAsync(response, SocketFlags.None);
                client.Shutdown(SocketShutdown.Send);
            }
        });
    }
}

static async Task ServeBytes(Socket listener, long total)
{
    var chunk = new byte[256 * 1024];
    while (true)
    {
        var client = await listener.AcceptAsync();
        _ = Task.Run(async () =>
        {
            using (client)
            {
                for (long sent = 0; sent < total; sent += chunk.Length)
                {
                    await client.SendAsync(chunk, SocketFlags.None);
                }
                client.Shutdown(SocketShutdown.Send);
            }
        });
    }
}

static async Task<int> Exchange(IPEndPoint endpoint, byte[] request)
{
    using var s = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    await s.ConnectAsync(endpoint);
    await s.SendAsync(request, SocketFlags.None);
    var buffer = new byte[8192];
    var total = 0;
    int n;
    while ((n = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
    {
        total += n;
    }
    if (total < 1024)
    {
        throw new InvalidOperationException($"short response ({total} bytes) from {endpoint}");
    }
    return total;
}

static async Task<List<double>> Latencies(IPEndPoint endpoint, byte[] request, int count)
{
    var result = new List<double>(count);
    for (var i = 0; i < count; i++)
    {
        var clock = Stopwatch.StartNew();
        await Exchange(endpoint, request);
        result.Add(clock.Elapsed.TotalMilliseconds);
    }
    return result;
}

static async Task<double> Throughput(IPEndPoint endpoint, byte[] request, int clients, int perClient)
{
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        for (var i = 0; i < perClient / 4; i++)
        {
            await Exchange(endpoint, request);
        }
    }));
    return clients * (perClient / 4) / clock.Elapsed.TotalSeconds;
}

static async Task<double> Download(IPEndPoint endpoint, string? connect)
{
    using var s = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
    await s.ConnectAsync(endpoint);
    var buffer = new byte[256 * 1024];
    if (connect is not null)
    {
        await s.SendAsync(Encoding.ASCII.GetBytes(connect), SocketFlags.None);
        var head = "";
        while (!head.Contains("\r\n\r\n"))
        {
            var n = await s.ReceiveAsync(buffer.AsMemory(0, 1), SocketFlags.None);
            head += (char)buffer[0];
            if (n == 0)
            {
                throw new InvalidOperationException("tunnel refused");
            }
        }
    }
    var clock = Stopwatch.StartNew();
    long total = 0;
    int read;
    while ((read = await s.ReceiveAsync(buffer, SocketFlags.None)) > 0)
    {
        total += read;
    }
    return total / 1048576.0 / clock.Elapsed.TotalSeconds;
}

static double P(List<double> values, int percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static double Rate(Action<int> action)
{
    for (var i = 0; i < 10_000; i++)
    {
        action(i);
    }
    var clock = Stopwatch.StartNew();
    var n = 0;
    while (clock.ElapsedMilliseconds < 1000)
    {
        for (var i = 0; i < 1000; i++, n++)
        {
            action(n);
        }
    }
    return n / clock.Elapsed.TotalSeconds;
}
