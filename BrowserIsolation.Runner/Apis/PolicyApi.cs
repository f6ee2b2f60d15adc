using System.Text.Json;
using System.Text.Json.Nodes;
using BrowserIsolation.Runner.Policy;

namespace BrowserIsolation.Runner.Apis;

/// <summary>
/// <c>GET/PUT /policy</c>: the session's URL policy. A PUT changes only the properties it names and applies at once
/// (see Enforcement/PolicyEnforcer). The local schemes (file:, chrome:, view-source: ...) stay blocked and javascript:
/// stays refused when typed, whatever a PUT says: that floor is not the integrator's to lower.
/// </summary>
public static class PolicyApi
{
    public const int MaxListEntries = 2000;

    public static IEndpointRouteBuilder MapPolicyApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/policy", (UrlPolicyHolder holder) => Results.Ok(holder.Current.ToOptions()));
        app.MapPut("/policy", (HttpContext c, UrlPolicyHolder holder) => ControlApi.RunAsync(c, async ct =>
        {
            var body = await ReadObjectAsync(c, ct);
            var options = Merge(holder.Current.ToOptions(), body);
            if (!UrlPolicy.TryCreate(options, out var policy, out var errors))
            {
                return ControlApi.Problem(400, "invalid_policy", string.Join("; ", errors), new Dictionary<string, object?> { ["errors"] = errors });
            }
            holder.Update(policy);
            return Results.Ok(policy.ToOptions());
        }));
        return app;
    }

    internal static UrlPolicyOptions Merge(UrlPolicyOptions current, JsonObject changes)
    {
        var merged = JsonSerializer.SerializeToNode(current, JsonSerializerOptions.Web)!.AsObject();
        var names = merged.Select(p => p.Key).ToList();
        foreach (var (name, value) in changes)
        {
            var known = names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ControlApi.BadBodyException("unknown_field", $"'{name}' is not a policy setting (settings: {string.Join(", ", names)})");
            if (value is JsonArray { Count: > MaxListEntries })
            {
                throw new ControlApi.BadBodyException("too_many_entries", $"'{known}' has more than {MaxListEntries} entries");
            }
            merged[known] = value?.DeepClone();
        }
        UrlPolicyOptions options;
        try
        {
            options = merged.Deserialize<UrlPolicyOptions>(JsonSerializerOptions.Web)
                ?? throw new ControlApi.BadBodyException("invalid_policy", "the policy must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ControlApi.BadBodyException("invalid_policy", $"a setting has the wrong type{(ex.Path is { Length: > 1 } p ? $" at {p}" : "")}");
        }
        if (options.AllowList is null || options.BlockList is null || options.Homepage is null || options.NewTabUrl is null)
        {
            throw new ControlApi.BadBodyException("invalid_policy", "allowList, blockList, homepage and newTabUrl may not be null");
        }
        options.BlockedSchemes = [.. UrlPolicy.DefaultBlockedSchemes.Union(options.BlockedSchemes ?? [], StringComparer.OrdinalIgnoreCase)];
        options.UserBlockedSchemes = [.. new[] { "javascript" }.Union(options.UserBlockedSchemes ?? [.. UrlPolicy.DefaultUserBlockedSchemes], StringComparer.OrdinalIgnoreCase)];
        return options;
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext context, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken);
        try
        {
            return JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { MaxDepth = 16 }) as JsonObject
                ?? throw new ControlApi.BadBodyException("invalid_json", "the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw new ControlApi.BadBodyException("invalid_json", $"the body is not valid JSON: {ex.Message.Split(". ")[0]}");
        }
    }
}
