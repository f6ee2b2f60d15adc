namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>An orchestrator with authentication on (an API key and a signing key), and the content site.</summary>
public sealed class SecuredEnvironment() : AuthenticatedEnvironment(ApiKey, SigningKey,
    new Dictionary<string, string> { ["Auth__AllowedOrigins__0"] = "https://embedder.example" })
{
    public const string ApiKey = "test-api-key-0123456789abcdef";
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";
}
