using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// No secret of the orchestrator, and no runner token, in the environment or command line of any runner or Chromium
/// process (renderers included), read from /proc with every secret set.
/// </summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
[Collection(RunnerIsolationCollection.Name)]
public sealed class RunnerEnvironmentTests(RunnerIsolationEnvironment env, ITestOutputHelper output)
{
    [Fact]
    public async Task NoRunnerOrChromiumProcessHoldsASecret()
    {
        var page = env.Site.Page("/env", "<title>env</title><p>hello</p><iframe src='/env-frame'></iframe>");
        env.Site.Page("/env-frame", "<p>frame</p>");
        await env.Api.CreateReadyAsync(page, env.ApiKey);
        await env.Api.CreateReadyAsync(page, env.ApiKey);

        var tokens = RunnerLeftovers.RunnerDirs(env.Orchestrator.WorkRoot)
            .Select(d => File.ReadAllText(Path.Combine(d, "runner.json")))
            .Select(json => JsonDocument.Parse(json).RootElement.GetProperty("Instance").GetProperty("Token").GetString()!)
            .ToList();
        Assert.True(tokens.Count >= 2, $"expected two runners, found {tokens.Count}");
        var secrets = env.Secrets.Concat(tokens).ToList();

        var processes = ProcessEntry.StartedBy(env.Orchestrator.Pid);
        var runners = processes.Count(p => p.IsRunner);
        var chromium = processes.Where(p => p.IsChromium).ToList();
        var renderers = chromium.Count(p => p.IsRenderer);
        output.WriteLine($"{processes.Count} processes: {runners} runners, {chromium.Count} Chromium ({renderers} renderers)");
        Assert.True(runners >= 2, "the runners were not found");
        Assert.True(renderers >= 2, "no renderer was found");
        foreach (var process in processes)
        {
            var what = $"{(process.IsRunner ? "runner" : process.IsChromium ? "chromium" : "process")} {process.Pid} ({string.Join(' ', process.CommandLine.Take(2))})";
            Assert.True(process.Environment.Length > 0, $"{what}: environment unreadable");
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(process.Environment, e => e.Contains(secret, StringComparison.Ordinal));
                Assert.DoesNotContain(process.CommandLine, a => a.Contains(secret, StringComparison.Ordinal));
            }
            foreach (var prefix in new[] { "Auth__", "ConnectionStrings__", "Turn__", "Runner__Token=" })
            {
                Assert.False(process.Environment.Any(e => e.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)), $"{what} has {prefix}…");
            }
            if (process.IsChromium)
            {
                // Chromium's is minimal: no runner settings at all.
                Assert.DoesNotContain(process.Environment, e => e.StartsWith("Runner__", StringComparison.Ordinal) || e.StartsWith("Policy__", StringComparison.Ordinal));
            }
        }
        output.WriteLine("a runner's environment: " + string.Join(' ', processes.First(p => p.IsRunner).Environment.Select(e => e.Split('=')[0])));
        output.WriteLine("a Chromium's environment: " + string.Join(' ', chromium[0].Environment.Select(e => e.Split('=')[0])));
    }
}
