using System.Text;
using System.Text.Json;

namespace BrowserIsolation.Orchestrator.Runners;

/// <summary>A runner answered with more than the orchestrator reads (a compromised or broken runner must not fill its memory).</summary>
public sealed class RunnerAnswerTooLargeException(int limit) : HttpRequestException($"the runner answered with more than {limit} bytes");

/// <summary>Reads a runner's response body from the stream with a hard cap, before anything is buffered whole.</summary>
public static class RunnerResponseBody
{
    /// <summary>Enough for any JSON the runner sends (tabs, participants, policy, stats).</summary>
    public const int DefaultMaxBytes = 512 * 1024;

    public static async Task<byte[]> ReadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            throw new RunnerAnswerTooLargeException(maxBytes);
        }
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, maxBytes + 1 - buffer.Length)), cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                throw new RunnerAnswerTooLargeException(maxBytes);
            }
        }
        return buffer.ToArray();
    }

    public static async Task<string> ReadStringAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await ReadAsync(content, maxBytes, cancellationToken));

    public static async Task<T?> ReadJsonAsync<T>(HttpContent content, CancellationToken cancellationToken, int maxBytes = DefaultMaxBytes) =>
        JsonSerializer.Deserialize<T>(await ReadAsync(content, maxBytes, cancellationToken), JsonSerializerOptions.Web);
}
