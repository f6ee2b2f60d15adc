using System.Net;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>After a session ends, nothing of its profile is left on disk, not even Chromium's scratch directories.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class ProfileCleanupTests(SecuredEnvironment env) : IClassFixture<SecuredEnvironment>
{
    [Fact]
    public async Task NothingOfTheProfileOutlivesTheSession()
    {
        var storage = env.Site.Page("/cleanup-storage", TestSite.Pages.All[TestSite.Pages.Storage]);
        var before = RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot).ToHashSet();
        var (id, owner) = await env.Api.CreateReadyAsync(storage, SecuredEnvironment.ApiKey);
        await env.Api.WaitForTitleAsync(id, owner, "had:none|none");
        var runnerDir = Assert.Single(RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot), d => !before.Contains(d));
        var chromium = RunnerLeftovers.ChromiumPid(runnerDir) ?? throw new InvalidOperationException("no chromium.pid");

        // Everything Chromium writes is below the session's folder: profile, caches, and its temp directory.
        var environ = (await File.ReadAllTextAsync($"/proc/{chromium}/environ")).Split('\0');
        foreach (var name in new[] { "HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME" })
        {
            var value = environ.FirstOrDefault(e => e.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
            Assert.True(value is not null && value.StartsWith(runnerDir, StringComparison.Ordinal), $"{name}={value} is outside {runnerDir}");
        }
        Assert.True(Directory.EnumerateFiles(Path.Combine(runnerDir, "profile"), "*", SearchOption.AllDirectories).Any(), "the profile was empty");

        Assert.Equal(HttpStatusCode.NoContent, (await env.Api.SendAsync(HttpMethod.Delete, $"/api/sessions/{id}", bearer: owner)).Status);
        Assert.False(Directory.Exists(runnerDir), $"{runnerDir} is still there");
        Assert.False(RunnerLeftovers.IsAlive(chromium), "Chromium is still running");
    }
}
