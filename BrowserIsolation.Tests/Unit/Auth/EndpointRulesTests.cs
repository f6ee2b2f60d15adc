using BrowserIsolation.Orchestrator.Apis;
using BrowserIsolation.Orchestrator.Auth;
using BrowserIsolation.Orchestrator.Extensions;
using BrowserIsolation.Runner.Apis;
using BrowserIsolation.Runner.Extensions;
using BrowserIsolation.ServiceDefaults.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace BrowserIsolation.Tests.Unit.Auth;

/// <summary>Every endpoint the orchestrator and the runner map declares who may call it (their real endpoint data sources).</summary>
[Trait("Category", "Unit")]
public sealed class EndpointRulesTests
{
    /// <summary>The orchestrator's endpoints as Program.cs maps them, without starting it.</summary>
    public static async Task<List<RouteEndpoint>> OrchestratorEndpointsAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Auth:ApiKeys:0"] = "endpoint-rules-key";
        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        builder.AddApiSecurity();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapOrchestratorEndpoints();
        return Endpoints(app);
    }

    private static async Task<List<RouteEndpoint>> RunnerEndpointsAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.AddServiceDefaults();
        builder.AddRunnerServices();
        builder.Services.AddRunnerToken();
        await using var app = builder.Build();
        app.MapDefaultEndpoints(RunnerTokenAuthentication.OrchestratorPolicy);
        app.MapRunnerEndpoints();
        return Endpoints(app);
    }

    private static List<RouteEndpoint> Endpoints(IEndpointRouteBuilder app) =>
        [.. app.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()];

    public static string Pattern(RouteEndpoint e) => "/" + (e.RoutePattern.RawText ?? "").Trim('/');

    public static string Methods(RouteEndpoint e) => e.Metadata.GetMetadata<HttpMethodMetadata>() is { } m ? string.Join(",", m.HttpMethods) : "*";

    [Fact]
    public async Task EveryOrchestratorEndpointDeclaresItsRule()
    {
        var endpoints = await OrchestratorEndpointsAsync();
        Assert.True(endpoints.Count > 30, $"only {endpoints.Count} endpoints found");
        var undeclared = endpoints.Where(e => !DeclaredAccess.HasRule(e)).Select(e => $"{Methods(e)} {Pattern(e)}").ToList();
        Assert.True(undeclared.Count == 0, "endpoints without an access rule: " + string.Join("; ", undeclared));
        // Under /api and /ws the rule is an ApiAccess, and only the fallback page, health and the document are public.
        foreach (var e in endpoints.Where(e => Pattern(e).StartsWith("/api", StringComparison.OrdinalIgnoreCase) || Pattern(e).StartsWith("/ws", StringComparison.OrdinalIgnoreCase)))
        {
            var rule = e.Metadata.GetMetadata<ApiAccessRule>();
            Assert.True(rule is { Access: not ApiAccess.Public }, $"{Methods(e)} {Pattern(e)} has no ApiAccess or is public");
            Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == rule!.PolicyName);
            Assert.NotNull(e.Metadata.GetMetadata<Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute>());
        }
    }

    [Theory]
    [InlineData("POST", "/api/sessions", ApiAccess.Operator)]
    [InlineData("GET", "/api/sessions", ApiAccess.Operator)]
    [InlineData("GET", "/api/sessions/{id}", ApiAccess.View)]
    [InlineData("DELETE", "/api/sessions/{id}", ApiAccess.Manage)]
    [InlineData("GET", "/ws/sessions/{id}", ApiAccess.Stream)]
    [InlineData("POST", "/api/sessions/{id}/offer", ApiAccess.Stream)]
    [InlineData("GET", "/api/sessions/{id}/ice", ApiAccess.Stream)]
    [InlineData("POST", "/api/sessions/{id}/tokens", ApiAccess.Manage)]
    [InlineData("POST", "/api/sessions/{id}/navigate", ApiAccess.Control)]
    [InlineData("POST", "/api/sessions/{id}/back", ApiAccess.Control)]
    [InlineData("POST", "/api/sessions/{id}/reset", ApiAccess.Manage)]
    [InlineData("GET", "/api/sessions/{id}/tabs", ApiAccess.View)]
    [InlineData("POST", "/api/sessions/{id}/tabs", ApiAccess.Control)]
    [InlineData("DELETE", "/api/sessions/{id}/tabs/{tabId}", ApiAccess.Control)]
    [InlineData("GET", "/api/sessions/{id}/policy", ApiAccess.View)]
    [InlineData("PUT", "/api/sessions/{id}/policy", ApiAccess.Operator)]
    [InlineData("GET", "/api/sessions/{id}/participants", ApiAccess.View)]
    [InlineData("PUT", "/api/sessions/{id}/participants/{participantId}", ApiAccess.Manage)]
    [InlineData("DELETE", "/api/sessions/{id}/participants/{participantId}", ApiAccess.Manage)]
    [InlineData("POST", "/api/sessions/{id}/participants/{participantId}/control", ApiAccess.Manage)]
    [InlineData("GET", "/api/sessions/{id}/control", ApiAccess.View)]
    [InlineData("PUT", "/api/sessions/{id}/control", ApiAccess.Manage)]
    [InlineData("POST", "/api/sessions/{id}/uploads/{chooserId}", ApiAccess.Control)]
    [InlineData("GET", "/api/pool", ApiAccess.Operator)]
    [InlineData("GET", "/api/{**rest}", ApiAccess.Operator)]
    [InlineData("GET", "/ws/{**rest}", ApiAccess.Operator)]
    public async Task EndpointsHaveTheirRules(string method, string pattern, ApiAccess access)
    {
        var endpoints = await OrchestratorEndpointsAsync();
        var endpoint = endpoints.FirstOrDefault(e => Pattern(e) == pattern && (Methods(e) == "*" || Methods(e).Split(',').Contains(method)));
        Assert.True(endpoint is not null, $"no endpoint {method} {pattern}");
        Assert.Equal(access, endpoint.Metadata.GetMetadata<ApiAccessRule>()?.Access);
        if (access is not ApiAccess.Operator)
        {
            Assert.Contains("{" + ApiAccessRule.SessionRouteValue + "}", pattern);
        }
    }

    [Fact]
    public async Task EveryRunnerEndpointNeedsTheRunnerTokenButLiveness()
    {
        var endpoints = await RunnerEndpointsAsync();
        Assert.True(endpoints.Count > 15, $"only {endpoints.Count} endpoints found");
        Assert.All(endpoints, e => Assert.True(DeclaredAccess.HasRule(e), $"{Methods(e)} {Pattern(e)} has no access rule"));
        foreach (var e in endpoints.Where(e => Pattern(e) != "/alive"))
        {
            Assert.True(e.Metadata.GetMetadata<IAllowAnonymous>() is null, $"{Pattern(e)} is anonymous");
            Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == RunnerTokenAuthentication.OrchestratorPolicy);
        }
        Assert.Contains(endpoints, e => Pattern(e) == "/ws");
    }
}
