using System.Diagnostics;
using Microsoft.Playwright;

namespace BrowserIsolation.Tests.Integration.WebRtc;

/// <summary>
/// Debian's Chromium driven by Playwright (nothing downloaded). Every process it starts carries a unique marker
/// switch, so disposal can end each of them by PID even if Playwright's own shutdown leaves one behind; the
/// Playwright driver (our child) is ended the same way.
/// </summary>
internal sealed class TestChromium : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly string _marker;
    private readonly IPlaywright _playwright;
    private readonly int[] _driverPids;

    private TestChromium(IPlaywright playwright, IBrowser browser, string marker, int[] driverPids)
    {
        _playwright = playwright;
        Browser = browser;
        _marker = marker;
        _driverPids = driverPids;
    }

    public IBrowser Browser { get; }

    public static async Task<TestChromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Fail($"{ExecutablePath} is missing: install Debian's chromium package to run the WebRTC peer tests.");
        }
        var marker = "--bi-test-" + Guid.NewGuid().ToString("N");
        var before = ChildPids();
        var playwright = await Playwright.CreateAsync();
        var driverPids = ChildPids().Except(before).ToArray();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args =
                [
                    "--no-sandbox", "--headless=new", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", marker,
                ],
            });
            return new TestChromium(playwright, browser, marker, driverPids);
        }
        catch
        {
            playwright.Dispose();
            KillAll(driverPids);
            throw;
        }
    }

    /// <summary>SIGKILLs every Chromium process of this instance: a browser that vanishes without a goodbye.</summary>
    public void KillBrowserProcesses() => KillAll(MarkedPids(_marker));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Killed below either way.
        }
        _playwright.Dispose();
        KillAll(MarkedPids(_marker));
        KillAll(_driverPids);
    }

    private static void KillAll(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (Exception)
            {
                // Already gone.
            }
        }
    }

    private static int[] ChildPids()
    {
        var self = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ProcessIds().Where(pid =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields[1] == self; // ppid
            }
            catch (IOException)
            {
                return false;
            }
        }).ToArray();
    }

    private static int[] MarkedPids(string marker) => ProcessIds().Where(pid =>
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(marker, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }).ToArray();

    private static IEnumerable<int> ProcessIds() =>
        Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is not null && name.All(char.IsAsciiDigit))
            .Select(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture));
}
