using System.Text.Json;
using BrowserIsolation.Tests.Fixtures;

namespace BrowserIsolation.Tests.Integration.Security;

/// <summary>Join links come from Auth:PublicBaseUrl, never from a caller's Host header; no response lets a Referer leave.</summary>
[Trait("Category", "Integration")]
[Trait("Category", "Security")]
public sealed class JoinLinkTests
{
    private const string Key = SecuredEnvironment.ApiKey;

    [Fact]
    public async Task JoinLinksIgnoreTheHostHeaderAndNothingSendsAReferrer()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = Key,
            ["Auth__TokenSigningKey"] = SecuredEnvironment.SigningKey,
            ["Auth__PublicBaseUrl"] = "https://ui.example.test/",
        });
        var created = await RawHttp.SendAsync(orchestrator.BaseUri, "POST", "/api/sessions",
            [$"Authorization: Bearer {Key}", "X-Forwarded-Host: attacker.example"], """{"url":"https://example.com/"}""", host: "attacker.example");
        Assert.True(created.Status == 201, $"create: {created.Status} {created.Body}");
        var session = JsonDocument.Parse(created.Body).RootElement;
        var id = session.GetProperty("sessionId").GetString()!;
        try
        {
            var joinUrl = session.GetProperty("ownerToken").GetProperty("joinUrl").GetString()!;
            Assert.StartsWith($"https://ui.example.test/?session={id}&token=", joinUrl);
            var issued = await RawHttp.SendAsync(orchestrator.BaseUri, "POST", $"/api/sessions/{id}/tokens",
                [$"Authorization: Bearer {Key}"], """{"role":"viewer"}""", host: "attacker.example:8443");
            Assert.True(issued.Status == 201, $"token: {issued.Status} {issued.Body}");
            Assert.StartsWith("https://ui.example.test/?session=", JsonDocument.Parse(issued.Body).RootElement.GetProperty("joinUrl").GetString());
            Assert.DoesNotContain("attacker", created.Body + issued.Body);

            // Pages, the UI's files, API answers (refusals too) and health all say no-referrer.
            foreach (var path in new[] { "/", "/index.html", $"/?session={id}&token=x", "/api/sessions", $"/api/sessions/{id}", "/health" })
            {
                var answer = await RawHttp.SendAsync(orchestrator.BaseUri, "GET", path);
                Assert.True(answer.Head.Contains("Referrer-Policy: no-referrer", StringComparison.OrdinalIgnoreCase), $"{path} ({answer.Status}): {answer.Head}");
            }
            var page = await RawHttp.SendAsync(orchestrator.BaseUri, "GET", "/");
            Assert.Contains("<meta name=\"referrer\" content=\"no-referrer\"", page.Body);
        }
        finally
        {
            await RawHttp.SendAsync(orchestrator.BaseUri, "DELETE", $"/api/sessions/{id}", [$"Authorization: Bearer {Key}"]);
        }
    }
}
