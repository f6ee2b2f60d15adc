namespace BrowserIsolation.Orchestrator.Runners.Process;

/// <summary>
/// Ends what a runner left (its process group, its Chromium's group, its sound server) and deletes its work directory. Every pid comes
/// from disk or from a process that may be gone, so a group is signalled only while /proc shows it is ours.
/// </summary>
internal sealed class RunnerCleanup(string runnerPath, ILogger logger)
{
    public bool IsRunner(int pid, string runnerId, long? startTicks = null) => ProcessIdentity.IsRunner(pid, runnerPath, runnerId, startTicks);

    public void KillLeftovers(int runnerPid, string workDir)
    {
        var runnerId = Path.GetFileName(workDir);
        var runnerAlive = IsRunner(runnerPid, runnerId);
        if (runnerAlive)
        {
            ProcessGroup.SignalGroup(runnerPid, ProcessGroup.SigKill);
        }
        var chromiumPid = int.TryParse(PrivateWorkRoot.ReadFile(Path.Combine(workDir, "chromium.pid")), out var c) && ProcessIdentity.IsChromium(c, workDir) ? c : 0;
        if (chromiumPid > 0)
        {
            ProcessGroup.SignalGroup(chromiumPid, ProcessGroup.SigKill);
        }
        // The sound server shares the runner's group, which is gone from view once the runner died.
        var pulsePath = Path.Combine(workDir, "pulse", "pulseaudio.pid");
        if (int.TryParse(PrivateWorkRoot.ReadFile(pulsePath), out var s) && ProcessIdentity.IsSoundServer(s, workDir))
        {
            ProcessGroup.Signal(s, ProcessGroup.SigKill);
        }
        // A Chromium that outlives its runner writes its profile on the way out: delete only once it is gone,
        // and once more if a late write brought the directory back.
        for (var wait = 0; wait < 40 && (runnerAlive && ProcessGroup.IsAlive(runnerPid) || chromiumPid > 0 && ProcessGroup.IsAlive(chromiumPid)); wait++)
        {
            Thread.Sleep(50);
        }
        for (var attempt = 0; attempt < 2; attempt++)
        {
            DeleteWorkDir(workDir);
            Thread.Sleep(200);
        }
    }

    private void DeleteWorkDir(string workDir)
    {
        for (var attempt = 0; attempt < 10 && Directory.Exists(workDir); attempt++)
        {
            try
            {
                Directory.Delete(workDir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                logger.LogDebug(ex, "Retrying delete of {WorkDir}", workDir);
                Thread.Sleep(100);
            }
        }
    }
}
