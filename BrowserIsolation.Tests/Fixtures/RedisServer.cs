using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>
/// A real redis-server on a free loopback port, without persistence. It can be stopped and started again on the same
/// port (Redis outages). Dispose kills it by PID. Fails with a clear message when redis-server is not installed.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;
    private ConnectionMultiplexer? _client;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    /// <summary>Aspire's format, as <c>ConnectionStrings__sessions</c> expects it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(LoopbackPorts.Free());
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        if (_process is { HasExited: false })
        {
            return;
        }
        var path = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run scripts/install-deps.sh test (apt-get install redis-server)");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!await PingAsync())
        {
            if (_process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException($"redis-server did not answer on port {Port}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Kills the server (an outage); <see cref="StartAgainAsync"/> brings an empty one back on the same port.</summary>
    public void Stop()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            p.WaitForExit(5000);
        }
        _process?.Dispose();
        _process = null;
    }

    /// <summary>SIGSTOP: the server keeps its connections but answers nothing (a hung Redis). <see cref="Resume"/> undoes it.</summary>
    public void Pause() => Signal("-STOP");

    public void Resume() => Signal("-CONT");

    private void Signal(string signal)
    {
        if (_process is { HasExited: false } p)
        {
            Process.Start("kill", [signal, p.Id.ToString()])!.WaitForExit();
        }
    }

    /// <summary>A client for the test's own looks into the store (async, like the store).</summary>
    public async Task<IDatabase> DatabaseAsync()
    {
        if (_client is null)
        {
            var config = ConfigurationOptions.Parse(ConnectionString);
            config.AbortOnConnectFail = false;
            _client = await ConnectionMultiplexer.ConnectAsync(config);
        }
        return _client.GetDatabase();
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TimeSpan.FromSeconds(1));
            var stream = tcp.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(1));
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Resume();
        if (_client is not null)
        {
            await _client.CloseAsync(allowCommandsToComplete: false).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(_ => { }, TaskScheduler.Default);
            _client.Dispose();
        }
        Stop();
    }
}
