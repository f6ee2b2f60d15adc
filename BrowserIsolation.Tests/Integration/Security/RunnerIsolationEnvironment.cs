using System.Security.Cryptography;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>
/// An orchestrator with every secret it knows set (API key, token signing key, a Redis connection string to a real
/// redis-server, the TURN secret), process runners, downloads and uploads allowed with small quotas.
/// </summary>
public sealed class RunnerIsolationEnvironment : IAsyncLifetime
{
    public const int MaxUploadFiles = 3, MaxDownloadFiles = 2;
    public const long MaxUploadBytes = 64 * 1024, MaxDownloadBytes = 256 * 1024;

    public string ApiKey { get; } = Secret("key");

    public string SigningKey { get; } = Secret("sign");

    public string TurnSecret { get; } = Secret("turn");

    /// <summary>A client name in the connection string marks it, so any copy of it is found.</summary>
    public string RedisClientName { get; } = Secret("redis");

    public string RedisConnectionString => $"{Redis.ConnectionString},name={RedisClientName}";

    public RedisServer Redis { get; private set; } = null!;

    public ContentSite Site { get; private set; } = null!;

    public OrchestratorProcess Orchestrator { get; private set; } = null!;

    public SecurityApi Api { get; private set; } = null!;

    public IEnumerable<string> Secrets => [ApiKey, SigningKey, TurnSecret, RedisClientName, RedisConnectionString];

    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Site = await ContentSite.StartAsync();
        Orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = ApiKey,
            ["Auth__TokenSigningKey"] = SigningKey,
            ["ConnectionStrings__sessions"] = RedisConnectionString,
            ["Turn__Secret"] = TurnSecret,
            ["Turn__Urls__0"] = "turn:127.0.0.1:3478",
            ["Policy__AllowDownloads"] = "true",
            ["Policy__AllowUploads"] = "true",
            ["Uploads__MaxFiles"] = MaxUploadFiles.ToString(),
            ["Uploads__MaxBytes"] = MaxUploadBytes.ToString(),
            ["Downloads__MaxFiles"] = MaxDownloadFiles.ToString(),
            ["Downloads__MaxBytes"] = MaxDownloadBytes.ToString(),
        });
        Api = new SecurityApi(Orchestrator);
    }

    public async Task DisposeAsync()
    {
        await Orchestrator.DisposeAsync();
        await Site.DisposeAsync();
        await Redis.DisposeAsync();
    }

    private static string Secret(string what) => $"{what}-secret-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20))}";
}

/// <summary>One such orchestrator for every runner isolation test class.</summary>
[CollectionDefinition(Name)]
public sealed class RunnerIsolationCollection : ICollectionFixture<RunnerIsolationEnvironment>
{
    public const string Name = "runner isolation";
}
