using System.Diagnostics;
using System.Text.RegularExpressions;

namespace BrowserIsolation.Tests.Fixtures;

/// <summary>
/// The Web host of the Aspire composition as a real process on a free loopback port, finding the orchestrator exactly as
/// Aspire's WithReference(orchestrator) tells it (services__orchestrator__http__0). Dispose kills it.
/// </summary>
public sealed partial class WebHostProcess : IAsyncDisposable
{
    private readonly Process _process;

    private WebHostProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>Several orchestrators are several replicas of one deployment, as service discovery lists them.</summary>
    public static async Task<WebHostProcess> StartAsync(params Uri[] orchestrators)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", RepoPaths.WebHostDll, "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        for (var i = 0; i < orchestrators.Length; i++)
        {
            start.Environment[$"services__orchestrator__http__{i}"] = orchestrators[i].AbsoluteUri.TrimEnd('/');
        }
        var process = Process.Start(start)!;
        try
        {
            while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line)
            {
                if (Listening().Match(line) is { Success: true } m)
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new WebHostProcess(process, new Uri(m.Groups[1].Value));
                }
            }
            throw new InvalidOperationException("the Web host exited before it listened");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    [GeneratedRegex(@"Now listening on: (\S+)")]
    private static partial Regex Listening();

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
