using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// A small typed client for the Docker Engine API (v1.41, i.e. dockerd 20.10 or later) over its unix socket or tcp://.
/// Every call is asynchronous and bounded by <see cref="RequestTimeout"/>; failures become <see cref="DockerApiException"/>
/// carrying the daemon's own message.
/// </summary>
public sealed class DockerEngineClient : IDisposable
{
    public const string ApiVersion = "1.41";

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;

    public DockerEngineClient(DockerEndpoint endpoint, TimeSpan? requestTimeout = null)
    {
        Endpoint = endpoint;
        RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30);
        // Per-call deadlines instead of HttpClient.Timeout: the events stream and image builds run for long.
        _http = new HttpClient(endpoint.CreateHandler()) { BaseAddress = endpoint.BaseAddress(ApiVersion), Timeout = Timeout.InfiniteTimeSpan };
    }

    public DockerEndpoint Endpoint { get; }

    public TimeSpan RequestTimeout { get; }

    public Task PingAsync(CancellationToken cancellationToken) =>
        SendAsync("ping", HttpMethod.Get, "_ping", null, RequestTimeout, cancellationToken);

    public Task<DockerVersion> GetVersionAsync(CancellationToken cancellationToken) =>
        GetJsonAsync<DockerVersion>("version", "version", cancellationToken);

    public async Task<ContainerCreated> CreateContainerAsync(ContainerSpec spec, string? name, CancellationToken cancellationToken)
    {
        var path = name is null ? "containers/create" : $"containers/create?name={Uri.EscapeDataString(name)}";
        using var content = JsonContent.Create(spec, options: Json);
        return await SendAsync("create container", HttpMethod.Post, path, content, RequestTimeout, cancellationToken,
            (response, ct) => ReadJsonAsync<ContainerCreated>(response, ct));
    }

    public Task StartContainerAsync(string id, CancellationToken cancellationToken) =>
        SendAsync($"start container {Short(id)}", HttpMethod.Post, $"containers/{Uri.EscapeDataString(id)}/start", null, RequestTimeout, cancellationToken);

    /// <summary>The container's details, or null when no such container exists.</summary>
    public Task<ContainerDetails?> InspectContainerAsync(string id, CancellationToken cancellationToken) =>
        GetJsonOrNullAsync<ContainerDetails>($"inspect container {Short(id)}", $"containers/{Uri.EscapeDataString(id)}/json", cancellationToken);

    /// <summary>Sends SIGTERM, then SIGKILL after <paramref name="grace"/>. A container that is already stopped is fine.</summary>
    public Task StopContainerAsync(string id, TimeSpan grace, CancellationToken cancellationToken) =>
        SendAsync($"stop container {Short(id)}", HttpMethod.Post,
            $"containers/{Uri.EscapeDataString(id)}/stop?t={(int)Math.Ceiling(grace.TotalSeconds)}", null, RequestTimeout + grace, cancellationToken);

    public Task KillContainerAsync(string id, string signal, CancellationToken cancellationToken) =>
        SendAsync($"kill container {Short(id)}", HttpMethod.Post,
            $"containers/{Uri.EscapeDataString(id)}/kill?signal={Uri.EscapeDataString(signal)}", null, RequestTimeout, cancellationToken);

    /// <summary>Removes the container (killing it first when <paramref name="force"/>). False when it was already gone.</summary>
    public async Task<bool> RemoveContainerAsync(string id, bool force, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync($"remove container {Short(id)}", HttpMethod.Delete,
                $"containers/{Uri.EscapeDataString(id)}?force={(force ? "true" : "false")}&v=true", null, RequestTimeout, cancellationToken);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict && e.DaemonMessage.Contains("already in progress", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
    }

    /// <summary>Containers carrying every given label (a null value matches any value of that label).</summary>
    public async Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(
        IReadOnlyDictionary<string, string?> labels, bool includeStopped, CancellationToken cancellationToken)
    {
        var filters = JsonSerializer.Serialize(new Dictionary<string, string[]>
        {
            ["label"] = [.. labels.Select(l => l.Value is null ? l.Key : $"{l.Key}={l.Value}")],
        });
        var path = $"containers/json?all={(includeStopped ? "true" : "false")}&filters={Uri.EscapeDataString(filters)}";
        return await GetJsonAsync<List<ContainerSummary>>("list containers", path, cancellationToken);
    }

    /// <summary>The last <paramref name="tail"/> lines of stdout and stderr.</summary>
    public Task<List<ContainerLogLine>> GetLogsAsync(string id, int tail, CancellationToken cancellationToken) =>
        SendAsync($"logs of container {Short(id)}", HttpMethod.Get,
            $"containers/{Uri.EscapeDataString(id)}/logs?stdout=true&stderr=true&tail={tail}", null, RequestTimeout, cancellationToken,
            async (response, ct) =>
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                return await ContainerLogLine.ReadAsync(body, ct);
            });

    /// <summary>The processes running in the container, as <c>ps <paramref name="psArgs"/></c> lists them.</summary>
    public Task<ContainerTop> TopAsync(string id, string psArgs, CancellationToken cancellationToken) =>
        GetJsonAsync<ContainerTop>($"top of container {Short(id)}",
            $"containers/{Uri.EscapeDataString(id)}/top?ps_args={Uri.EscapeDataString(psArgs)}", cancellationToken);

    /// <summary>The image's details, or null when the daemon does not have it.</summary>
    public Task<ImageDetails?> InspectImageAsync(string name, CancellationToken cancellationToken) =>
        GetJsonOrNullAsync<ImageDetails>($"inspect image {name}", $"images/{Uri.EscapeDataString(name)}/json", cancellationToken);

    /// <summary>Images whose name matches <paramref name="reference"/> (e.g. <c>repo:tag-*</c>).</summary>
    public Task<List<ImageSummary>> ListImagesAsync(string reference, CancellationToken cancellationToken) =>
        GetJsonAsync<List<ImageSummary>>("list images",
            $"images/json?filters={Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["reference"] = [reference] }))}",
            cancellationToken);

    /// <summary>Removes an image (or one of its tags). False when it was already gone.</summary>
    public async Task<bool> RemoveImageAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync($"remove image {name}", HttpMethod.Delete, $"images/{Uri.EscapeDataString(name)}", null, RequestTimeout, cancellationToken);
            return true;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// Builds an image from a tar build context with the classic builder. Never pulls (the base image must be local).
    /// Returns the image id; a failed step throws with the builder's error.
    /// </summary>
    public Task<string> BuildImageAsync(Stream tarContext, ImageBuildParameters parameters, Action<string>? onOutput, CancellationToken cancellationToken)
    {
        var query = new StringBuilder($"build?t={Uri.EscapeDataString(parameters.Tag)}&rm=true&forcerm=true&pull=false");
        query.Append("&dockerfile=").Append(Uri.EscapeDataString(parameters.Dockerfile));
        if (parameters.NetworkMode is { } network)
        {
            query.Append("&networkmode=").Append(Uri.EscapeDataString(network));
        }
        if (parameters.BuildArgs is { Count: > 0 } args)
        {
            query.Append("&buildargs=").Append(Uri.EscapeDataString(JsonSerializer.Serialize(args)));
        }
        var content = new StreamContent(tarContext);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        return SendAsync($"build image {parameters.Tag}", HttpMethod.Post, query.ToString(), content, parameters.Timeout, cancellationToken,
            async (response, ct) =>
            {
                // The build reports over a stream of JSON messages, and reports failure in one of them with a 200 status.
                string? imageId = null;
                await foreach (var message in ReadJsonLinesAsync<BuildMessage>(response, ct))
                {
                    if (message.Error is { } error)
                    {
                        throw new DockerApiException($"build image {parameters.Tag}", response.StatusCode, error.Trim());
                    }
                    if (message.Stream is { } text)
                    {
                        onOutput?.Invoke(text.TrimEnd('\n'));
                    }
                    imageId = message.Aux?.ID ?? imageId;
                }
                return imageId ?? (await InspectImageAsync(parameters.Tag, ct))?.Id
                    ?? throw new DockerApiException($"build image {parameters.Tag}", response.StatusCode, "the build ended without an image");
            });
    }

    /// <summary>
    /// Daemon events matching <paramref name="filters"/> (e.g. type=container, label=k=v), from <paramref name="since"/>
    /// (events the daemon still remembers are replayed) until cancelled. Ends when the daemon closes the stream.
    /// </summary>
    public async IAsyncEnumerable<DockerEvent> StreamEventsAsync(
        IReadOnlyDictionary<string, string[]> filters, DateTimeOffset? since, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var path = $"events?filters={Uri.EscapeDataString(JsonSerializer.Serialize(filters))}";
        if (since is { } from)
        {
            path += $"&since={from.ToUnixTimeSeconds()}";
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable("events", e);
        }
        using (response)
        {
            await EnsureSuccessAsync("events", response, cancellationToken);
            await foreach (var e in ReadJsonLinesAsync<DockerEvent>(response, cancellationToken))
            {
                yield return e;
            }
        }
    }

    public void Dispose() => _http.Dispose();

    private Task<T> GetJsonAsync<T>(string operation, string path, CancellationToken cancellationToken) =>
        SendAsync(operation, HttpMethod.Get, path, null, RequestTimeout, cancellationToken, ReadJsonAsync<T>);

    private async Task<T?> GetJsonOrNullAsync<T>(string operation, string path, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return await GetJsonAsync<T>(operation, path, cancellationToken);
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private Task SendAsync(string operation, HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendAsync(operation, method, path, content, timeout, cancellationToken, (_, _) => Task.FromResult(true));

    /// <summary>One request under its own deadline; <paramref name="read"/> consumes a successful response within it.</summary>
    private async Task<T> SendAsync<T>(
        string operation, HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellationToken,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(method, path) { Content = content };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await EnsureSuccessAsync(operation, response, deadline.Token);
            return await read(response, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new DockerApiException(operation, null, $"no answer from the Docker daemon at {Endpoint} within {timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(operation, e);
        }
    }

    private DockerApiException Unreachable(string operation, HttpRequestException e) =>
        new(operation, null, $"cannot reach the Docker daemon at {Endpoint} (is it running? set DOCKER_HOST): {e.Message}", e);

    private static async Task EnsureSuccessAsync(string operation, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        string message;
        try
        {
            message = JsonSerializer.Deserialize<ErrorBody>(body, Json)?.Message ?? body;
        }
        catch (JsonException)
        {
            message = body;
        }
        throw new DockerApiException(operation, response.StatusCode, string.IsNullOrWhiteSpace(message) ? response.ReasonPhrase ?? "no message" : message.Trim());
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
        ?? throw new DockerApiException(response.RequestMessage?.RequestUri?.AbsolutePath ?? "request", response.StatusCode, "empty answer");

    private static async IAsyncEnumerable<T> ReadJsonLinesAsync<T>(HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body, Encoding.UTF8);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!string.IsNullOrWhiteSpace(line) && JsonSerializer.Deserialize<T>(line, Json) is { } item)
            {
                yield return item;
            }
        }
    }

    private static string Short(string id) => id.Length > 12 ? id[..12] : id;

    private sealed record ErrorBody(string? Message);

    private sealed record BuildMessage(string? Stream, string? Error, BuildAux? Aux);

    private sealed record BuildAux(string? ID);
}

/// <param name="Tag">Name:tag of the image to build.</param>
/// <param name="Dockerfile">Path of the Dockerfile inside the context.</param>
/// <param name="NetworkMode">Network for RUN steps (<c>host</c> where the bridge has no NAT).</param>
public sealed record ImageBuildParameters(string Tag, string Dockerfile = "Dockerfile", string? NetworkMode = null)
{
    public IReadOnlyDictionary<string, string>? BuildArgs { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);
}
