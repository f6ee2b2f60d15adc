using BrowserIsolation.Orchestrator.Auth;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>
/// The REST API's OpenAPI document at <c>/openapi/v1.json</c> (Microsoft.AspNetCore.OpenApi). Security requirements and
/// the refusals an endpoint can answer with are derived from its <see cref="ApiAccessRule"/>, so the document cannot
/// disagree with what is enforced.
/// </summary>
public static class ApiDocument
{
    public const string BearerScheme = "bearer";

    public static IHostApplicationBuilder AddApiDocument(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "BrowserIsolation API";
                document.Info.Description = "Sessions, join tokens, browser control and co-browsing. Problems are RFC 7807 with a stable `code`. " +
                    "Streaming is the WebSocket /ws/sessions/{id} (docs/protocol.md).";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API key (operators) or a join token (bi1.…, participants of one session). Not needed when Auth:ApiKeys is empty.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                if (metadata.OfType<ApiAccessRule>().LastOrDefault() is not { } rule)
                {
                    return Task.CompletedTask;
                }
                operation.Responses ??= new OpenApiResponses();
                if (rule.Access != ApiAccess.Public)
                {
                    operation.Security ??= [];
                    operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
                    operation.Description = (operation.Description is { Length: > 0 } d ? d + " " : "") + Who(rule);
                    Problem(operation, 401, "No credential, or a wrong one (api_key_required, join_token_required, invalid_api_key, invalid_token, token_revoked).");
                    Problem(operation, 403, "The credential may not do this (api_key_required, role_forbidden, token_for_other_session).");
                    Problem(operation, 429, "Rate limited (rate_limited, with Retry-After).");
                }
                if (context.Description.RelativePath?.Contains("{id}") == true)
                {
                    Problem(operation, 404, "No such session (session_not_found).");
                }
                if (context.Description.HttpMethod is "POST" or "PUT")
                {
                    Problem(operation, 400, "The body is not what the endpoint takes (invalid_json, empty_body, and per-field codes).");
                }
                foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>().Where(p => p.StatusCode >= 400))
                {
                    Problem(operation, produces.StatusCode, produces.Description ?? "A problem.");
                }
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    private static string Who(ApiAccessRule rule) => rule.Access switch
    {
        ApiAccess.Operator => "Needs an API key.",
        ApiAccess.Stream => "Needs a join token for this session (any role); an API key is refused when auth is on.",
        _ => $"Needs an API key, or a join token for this session with the {rule.MinimumRole} role or higher.",
    };

    private static void Problem(OpenApiOperation operation, int status, string description)
    {
        var key = status.ToString();
        if (operation.Responses!.ContainsKey(key))
        {
            return;
        }
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
                            ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "stable, machine-readable" },
                        },
                    },
                },
            },
        };
    }
}
