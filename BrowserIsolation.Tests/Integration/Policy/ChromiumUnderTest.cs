using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>
/// A real Chromium (/usr/bin/chromium) started by the test in its own process group with a fresh profile, driven by
/// Playwright over CDP. Dispose kills the whole group (crashpad included), any straggler that still names the profile,
/// and deletes the profile.
/// </summary>
internal sealed partial class ChromiumUnderTest : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly IPlaywright _playwright;

    private ChromiumUnderTest(Process process, string profile, IPlaywright playwright, IBrowser browser, string stderrPath)
    {
        _process = process;
        Profile = profile;
        _playwright = playwright;
        Browser = browser;
        StderrPath = stderrPath;
    }

    public string Profile { get; }

    public IBrowser Browser { get; }

    public string StderrPath { get; }

    public IBrowserContext Context => Browser.Contexts[0];

    /// <param name="args">flags on top of the headless basics (egress flags, test-only flags).</param>
    /// <param name="prepareProfile">runs on the empty profile directory before launch.</param>
    public static async Task<ChromiumUnderTest> StartAsync(IEnumerable<string> args, Action<string>? prepareProfile = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install Debian's chromium package to run the egress browser tests.");
        }
        var profile = Directory.CreateTempSubdirectory("bi-egress-chromium-").FullName;
        prepareProfile?.Invoke(profile);
        var stderrPath = Path.Combine(Path.GetTempPath(), Path.GetFileName(profile) + ".stderr");

        var start = new ProcessStartInfo("setsid")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     Executable, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--no-default-browser-check", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
                     "--remote-debugging-port=0", "--window-size=1280,720",
                 }.Concat(args).Append("about:blank"))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Chromium.");
        var stderr = File.CreateText(stderrPath);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                if (e.Data is null)
                {
                    stderr.Dispose();
                }
                else
                {
                    stderr.WriteLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        try
        {
            var portFile = Path.Combine(profile, "DevToolsActivePort");
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!File.Exists(portFile) || new FileInfo(portFile).Length == 0)
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"Chromium did not open its DevTools port (exited: {process.HasExited}); see {stderrPath}.");
                }
                await Task.Delay(50);
            }
            var port = int.Parse((await File.ReadAllLinesAsync(portFile))[0]);
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.ConnectOverCDPAsync($"http://127.0.0.1:{port}");
            return new ChromiumUnderTest(process, profile, playwright, browser, stderrPath);
        }
        catch
        {
            KillGroupAndStragglers(process.Id, profile);
            TryDelete(profile);
            throw;
        }
    }

    public async Task<IPage> NewPageAsync()
    {
        var page = await Context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        page.SetDefaultNavigationTimeout(15_000);
        return page;
    }

    /// <summary>Asks Chromium to exit (CDP Browser.close) so it flushes files such as the net log.</summary>
    public async Task CloseGracefullyAsync()
    {
        try
        {
            var cdp = await Browser.NewBrowserCDPSessionAsync();
            await cdp.SendAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // The connection drops as Chromium exits.
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception)
        {
            // Killing below is what matters.
        }
        _playwright.Dispose();
        KillGroupAndStragglers(_process.Id, Profile);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
        TryDelete(Profile);
        if (Directory.Exists(Profile))
        {
            throw new IOException($"Chromium profile {Profile} survived the test.");
        }
        File.Delete(StderrPath);
    }

    private static void KillGroupAndStragglers(int pid, string profile)
    {
        _ = Kill(-pid, 9);
        for (var round = 0; round < 20; round++)
        {
            var stragglers = ProcessesMentioning(profile);
            if (stragglers.Count == 0)
            {
                return;
            }
            foreach (var straggler in stragglers)
            {
                _ = Kill(straggler, 9);
            }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"Chromium processes for {profile} survived SIGKILL.");
    }

    private static List<int> ProcessesMentioning(string profile)
    {
        var result = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                var state = File.ReadAllText(Path.Combine(dir, "stat"));
                var zombie = state.Length > 0 && state[(state.LastIndexOf(')') + 2)..].StartsWith('Z');
                if (!zombie && cmdline.Contains(profile, StringComparison.Ordinal))
                {
                    result.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return result;
    }

    private static void TryDelete(string profile)
    {
        for (var attempt = 0; attempt < 10 && Directory.Exists(profile); attempt++)
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
