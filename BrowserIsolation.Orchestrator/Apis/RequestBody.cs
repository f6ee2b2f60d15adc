using System.Text.Json;

namespace BrowserIsolation.Orchestrator.Apis;

/// <summary>Reads a JSON body with a hard size limit, turning every failure into a problem instead of an exception.</summary>
public static class RequestBody
{
    public sealed record Result<T>(T? Value, IResult? Problem);

    public static async Task<Result<T>> ReadJsonAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > maxBytes)
        {
            return new(null, Problems.PayloadTooLarge(maxBytes));
        }
        var buffer = new byte[maxBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }
        if (length > maxBytes)
        {
            return new(null, Problems.PayloadTooLarge(maxBytes));
        }
        if (length == 0)
        {
            return new(null, Problems.BadRequest("empty_body", "a JSON body is required"));
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(buffer.AsSpan(0, length), JsonSerializerOptions.Web);
            return value is null
                ? new(null, Problems.BadRequest("invalid_json", "the body must be a JSON object"))
                : new(value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at {path}" : "";
            return new(null, Problems.BadRequest("invalid_json", $"the body is not valid JSON for this request{where}: {FirstSentence(ex.Message)}"));
        }
    }

    private static string FirstSentence(string message) => message.Split(". ", 2)[0].TrimEnd('.');
}
