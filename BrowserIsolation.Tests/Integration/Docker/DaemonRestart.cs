using System.Diagnostics;
using BrowserIsolation.Orchestrator.Runners.Docker;
using BrowserIsolation.Tests.Fixtures;
using Docker.DotNet.Models;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>
/// Stops and starts the fixture's dockerd through scripts/docker-engine.sh (<c>down</c>, <c>up</c>), so the test restarts
/// it exactly as operators and test.sh start it; only a daemon that script started (its pidfile) can be restarted.
/// </summary>
internal sealed class DaemonRestart(DockerFixture docker)
{
    /// <summary>Stops the daemon; returns when it no longer answers.</summary>
    public async Task<TimeSpan> DownAsync(bool liveRestore)
    {
        var clock = Stopwatch.StartNew();
        await RunScriptAsync("down", liveRestore);
        try
        {
            await docker.Client.System.PingAsync(CancellationToken.None);
        }
        catch (Exception e) when (DockerFailure.Is(e, CancellationToken.None))
        {
            return clock.Elapsed;
        }
        throw new InvalidOperationException(
            $"the daemon at {docker.DockerHost} still answers after `docker-engine.sh down`: it was not started by that script, so this test cannot restart it");
    }

    /// <summary>Starts the daemon (or restarts it when it runs with another live-restore setting); returns when it answers.</summary>
    public async Task<TimeSpan> UpAsync(bool liveRestore)
    {
        var clock = Stopwatch.StartNew();
        await RunScriptAsync("up", liveRestore);
        var info = await docker.Client.System.GetSystemInfoAsync(CancellationToken.None);
        if (info.LiveRestoreEnabled != liveRestore)
        {
            throw new InvalidOperationException($"the daemon at {docker.DockerHost} runs with live-restore={info.LiveRestoreEnabled} after `docker-engine.sh up`");
        }
        return clock.Elapsed;
    }

    public async Task<bool> LiveRestoreAsync() => (await docker.Client.System.GetSystemInfoAsync(CancellationToken.None)).LiveRestoreEnabled;

    /// <summary>The host port a container's HTTP port is published on, if any (bridge networks).</summary>
    public async Task<int?> PublishedHttpPortAsync(string containerId) =>
        (await docker.Client.Containers.InspectContainerAsync(containerId, CancellationToken.None)).PublishedPort("8080/tcp");

    private async Task RunScriptAsync(string command, bool liveRestore)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(RepoPaths.DockerEngineScript);
        start.ArgumentList.Add(command);
        start.Environment["BI_DOCKER_SOCK"] = docker.DockerHost;
        start.Environment["BI_DOCKER_LIVE_RESTORE"] = liveRestore ? "true" : "false";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start docker-engine.sh");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker-engine.sh {command} failed (exit {process.ExitCode}):\n{await stdout}{await stderr}");
        }
    }
}
