using System.Text.Json;
using System.Text.Json.Serialization;

namespace BrowserIsolation.Runner.Cdp;

internal static class CdpJson
{
    /// <summary>CDP uses camelCase and omits absent optionals.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
