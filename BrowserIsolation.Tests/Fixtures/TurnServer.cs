using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>
/// Debian's coturn (<c>turnserver</c>) with the project's <c>turn/turnserver.conf</c>, listening and relaying on
/// 127.0.0.1 only, on a free UDP port. Dispose kills it by PID and removes its work directory. Fails with a clear
/// message when coturn is not installed.
/// </summary>
public sealed class TurnServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly string _workDir;

    private TurnServer(Process process, int port, string workDir, string secret)
    {
        _process = process;
        Port = port;
        _workDir = workDir;
        Secret = secret;
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public string Secret { get; }

    public static string ConfigPath => Path.Combine(RepoPaths.Root, "turn", "turnserver.conf");

    public string Log { get { lock (_log) { return string.Join('\n', _log); } } }

    /// <param name="extraArgs">test-only additions (e.g. <c>--allowed-peer-ip</c>) after the project's file.</param>
    public static async Task<TurnServer> StartAsync(string secret, params string[] extraArgs)
    {
        var path = new[] { "/usr/bin/turnserver", "/usr/local/bin/turnserver" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("coturn is not installed: run scripts/install-deps.sh test (apt-get install coturn)");
        var port = FreeUdpPort();
        var workDir = Directory.CreateTempSubdirectory("bi-turn-").FullName;
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "-c", ConfigPath, $"--static-auth-secret={secret}", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
            $"--listening-port={port}", "--min-port=49152", "--max-port=65535", $"--pidfile={workDir}/turnserver.pid",
            $"--db={workDir}/turndb", "--log-file=stdout", "--simple-log", "--no-rfc5780",
        }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start turnserver");
        var server = new TurnServer(process, port, workDir, secret);
        process.OutputDataReceived += (_, e) => server.Add(e.Data);
        process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (!await AnswersBindingAsync(port))
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(10))
            {
                var log = server.Log;
                await server.DisposeAsync();
                throw new InvalidOperationException($"turnserver did not start on port {port}:\n{log}");
            }
        }
        return server;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_workDir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
        return ValueTask.CompletedTask;
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Add(line);
            }
        }
    }

    /// <summary>Ready when a plain STUN Binding request on its port is answered.</summary>
    private static async Task<bool> AnswersBindingAsync(int port)
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = BrowserIsolation.Runner.WebRtc.StunMessage.Create(BrowserIsolation.Runner.WebRtc.StunMessage.BindingRequest).ToBytes();
        await probe.SendAsync(request, new IPEndPoint(IPAddress.Loopback, port));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        try
        {
            await probe.ReceiveAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return false;
        }
    }

    private static int FreeUdpPort()
    {
        using var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }
}
