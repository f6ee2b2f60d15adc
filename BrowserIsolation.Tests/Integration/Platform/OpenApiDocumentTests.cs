using System.Net.Http.Json;
using System.Text.Json;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Tests.Fixtures;
using BrowserIsolation.Tests.Unit.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Xunit.Abstractions;

namespace BrowserIsolation.Tests.Integration.Platform;

/// <summary>The served OpenAPI document lists every REST endpoint that exists, each with a name, a summary, its security and its problems.</summary>
[Trait("Category", "Integration")]
public sealed class OpenApiDocumentTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheDocumentDescribesEveryApiEndpoint()
    {
        await using var orchestrator = await OrchestratorProcess.StartAsync(new Dictionary<string, string>
        {
            ["Auth__ApiKeys__0"] = "openapi-test-key-0123456789abcdef",
        });
        // Public (declared so): no credential needed.
        var document = await orchestrator.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString());
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");

        var endpoints = (await EndpointRulesTests.OrchestratorEndpointsAsync())
            .Where(e => EndpointRulesTests.Pattern(e).StartsWith("/api/", StringComparison.Ordinal) && !EndpointRulesTests.Pattern(e).Contains("**"))
            .ToList();
        var checkedOperations = 0;
        foreach (var endpoint in endpoints)
        {
            var pattern = EndpointRulesTests.Pattern(endpoint);
            var path = paths.EnumerateObject().FirstOrDefault(p => "/" + p.Name.Trim('/') == pattern);
            Assert.True(path.Value.ValueKind == JsonValueKind.Object, $"{pattern} is not in the document");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                var where = $"{method} {pattern}";
                Assert.True(path.Value.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{where} is not in the document");
                Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("operationId").GetString()), $"{where} has no name");
                Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{where} has no summary");
                var security = operation.GetProperty("security").EnumerateArray().ToList();
                Assert.True(security.Count > 0 && security[0].TryGetProperty("bearer", out _), $"{where} has no bearer security");
                var responses = operation.GetProperty("responses");
                foreach (var status in new[] { "401", "403", "429" })
                {
                    Assert.True(responses.TryGetProperty(status, out var problem), $"{where} does not list {status}");
                    Assert.True(problem.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{where} {status} is not a problem");
                }
                if (endpoint.Metadata.GetMetadata<ApiAccessRule>()!.Access != ApiAccess.Operator)
                {
                    Assert.True(responses.TryGetProperty("404", out _), $"{where} does not list 404 for a missing session");
                }
                checkedOperations++;
            }
        }
        // And nothing in the document that does not exist.
        var documented = paths.EnumerateObject().Sum(p => p.Value.EnumerateObject().Count());
        output.WriteLine($"{checkedOperations} operations checked; {documented} in the document");
        Assert.Equal(checkedOperations, documented);
        Assert.True(checkedOperations > 25);
    }
}
