using System.Net;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>The Docker.DotNet calls the runner provider makes, with "gone" as a result rather than an exception.</summary>
public static class ContainerQueries
{
    /// <summary>Containers carrying every given label (a null value matches any value of that label).</summary>
    public static Task<IList<ContainerListResponse>> ListLabelledAsync(this IContainerOperations containers,
        IReadOnlyDictionary<string, string?> labels, bool includeStopped, CancellationToken cancellationToken) =>
        containers.ListContainersAsync(new ContainersListParameters
        {
            All = includeStopped,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = labels.ToDictionary(l => l.Value is null ? l.Key : $"{l.Key}={l.Value}", _ => true),
            },
        }, cancellationToken);

    /// <summary>The container's details, or null when no such container exists.</summary>
    public static async Task<ContainerInspectResponse?> InspectOrNullAsync(this IContainerOperations containers, string id, CancellationToken cancellationToken)
    {
        try
        {
            return await containers.InspectContainerAsync(id, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Kills and removes the container with its volumes. False when it was already gone.</summary>
    public static async Task<bool> RemoveForcedAsync(this IContainerOperations containers, string id, CancellationToken cancellationToken)
    {
        try
        {
            await containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true, RemoveVolumes = true }, cancellationToken);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
        catch (DockerApiException e) when (e.StatusCode == HttpStatusCode.Conflict && e.ResponseBody.Contains("already in progress", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
    }

    /// <summary>The host port a container port (<c>8080/tcp</c>) is published on, if any.</summary>
    public static int? PublishedPort(this ContainerInspectResponse container, string containerPort) =>
        container.NetworkSettings?.Ports is { } ports && ports.TryGetValue(containerPort, out var bindings) && bindings is not null
            ? bindings.Select(b => int.TryParse(b.HostPort, out var port) && port > 0 ? port : (int?)null).FirstOrDefault(p => p is not null)
            : null;

    /// <summary>The container's address on its first network that has one.</summary>
    public static string? IpAddress(this ContainerInspectResponse container) =>
        container.NetworkSettings?.Networks?.Values.Select(n => n.IPAddress).FirstOrDefault(ip => !string.IsNullOrEmpty(ip))
        ?? (string.IsNullOrEmpty(container.NetworkSettings?.IPAddress) ? null : container.NetworkSettings.IPAddress);

    /// <summary>The value of one <c>NAME=value</c> entry of the container's environment.</summary>
    public static string? EnvironmentValue(this ContainerInspectResponse container, string name)
    {
        var prefix = name + "=";
        return container.Config?.Env?.FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }
}
