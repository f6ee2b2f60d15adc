using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Reliability;

/// <summary>A full work root and a host short of memory: a clear refusal, and nothing half-created.</summary>
[Trait("Category", "Integration")]
public sealed class HostCapacityTests(ITestOutputHelper output)
{
    private const string PageUrl = "http://127.0.0.1:9/";

    [Fact]
    public async Task A_full_work_root_refuses_creates_with_507_and_leaves_nothing_behind()
    {
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root",
            "this test mounts a small tmpfs as the runners' work root, which needs root (the test command runs as root)");
        var mount = Directory.CreateTempSubdirectory("bi-full-disk-").FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=32m,mode=0700", "tmpfs", mount);
        var workRoot = Path.Combine(mount, "runners");
        try
        {
            // Fill it up to the last few MiB.
            await using (var filler = File.Create(Path.Combine(mount, "filler")))
            {
                var block = new byte[1 << 20];
                try
                {
                    for (var i = 0; i < 64; i++)
                    {
                        await filler.WriteAsync(block);
                        await filler.FlushAsync();
                    }
                }
                catch (IOException)
                {
                    // full
                }
            }
            await using var orchestrator = await OrchestratorProcess.StartAsync(workRoot: workRoot);
            using var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = PageUrl });
            var problem = await create.Content.ReadFromJsonAsync<JsonElement>();
            output.WriteLine($"full work root: {(int)create.StatusCode} {problem}");
            Assert.Equal((HttpStatusCode)507, create.StatusCode);
            Assert.Equal("insufficient_storage", problem.GetProperty("code").GetString());
            Assert.Contains(workRoot, problem.GetProperty("detail").GetString());
            var listed = await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/sessions");
            Assert.Empty(listed.GetProperty("sessions").EnumerateArray());
            Assert.Empty(RunnerLeftovers.RunnerDirs(workRoot));
        }
        finally
        {
            Run("umount", "-l", mount);
            Directory.Delete(mount, recursive: true);
        }
    }

    [Fact]
    public async Task A_host_short_of_memory_refuses_creates_with_503_and_leaves_nothing_behind()
    {
        // The reserve is set above what any host has, so the real /proc/meminfo reading is always too low.
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string> { ["Pool__MemoryReserveMiB"] = "100000000" });
        using var create = await orchestrator.Http.PostAsJsonAsync("/api/sessions", new { url = PageUrl });
        var problem = await create.Content.ReadFromJsonAsync<JsonElement>();
        output.WriteLine($"memory low: {(int)create.StatusCode} {problem}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, create.StatusCode);
        Assert.Equal("insufficient_memory", problem.GetProperty("code").GetString());
        Assert.Empty((await orchestrator.Http.GetFromJsonAsync<JsonElement>("/api/sessions")).GetProperty("sessions").EnumerateArray());
        Assert.Empty(RunnerLeftovers.RunnerDirs(orchestrator.WorkRoot));
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, UseShellExecute = false })!;
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {process.StandardError.ReadToEnd()}");
    }
}
