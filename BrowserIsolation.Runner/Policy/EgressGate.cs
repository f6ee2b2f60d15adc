using System.Net;
using System.Net.Sockets;

namespace BrowserIsolation.Runner.Policy;

/// <summary>
/// One decision for one destination: URL policy (host rules), then name resolution, then <see cref="AddressGuard"/> on
/// every resolved address. A name with any refused address is refused (a rebinding name often returns a public and a
/// private answer together). Used by <see cref="EgressProxy"/>; the CDP layer can call it too, to show the block page
/// before Chromium ever tries.
/// </summary>
public sealed class EgressGate(AddressGuard guard, IEgressResolver resolver, Func<UrlPolicy> policy, TimeSpan resolveTimeout)
{
    public AddressGuard Guard => guard;

    /// <param name="scheme">http, https, ws, wss; null for a CONNECT tunnel, whose scheme the proxy cannot see.</param>
    /// <param name="rawHost">the host as the client wrote it (any notation, brackets for IPv6).</param>
    /// <param name="url">the full URL when known (plain HTTP): path rules then apply too.</param>
    public async Task<EgressDecision> CheckAsync(string? scheme, string rawHost, int port, Uri? url, CancellationToken cancellationToken)
    {
        if (!HostNormalizer.TryNormalize(rawHost, out var host, out var hostError))
        {
            return Refuse(rawHost, port, "bad_host", $"The host is not valid: {hostError}.");
        }
        var shown = host.ToString();

        var current = policy();
        var decision = url is not null ? current.Evaluate(url) : current.EvaluateOrigin(scheme, host, port);
        if (!decision.Allowed)
        {
            return Refuse(shown, port, "policy", decision.Reason);
        }

        IReadOnlyList<IPAddress> addresses;
        if (host.Address is { } literal)
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(resolveTimeout);
            try
            {
                addresses = await resolver.ResolveAsync(host.Name, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new EgressDecision(EgressOutcome.Unresolvable, shown, port, "resolve_timeout", $"Looking up {shown} timed out.", []);
            }
            if (addresses.Count == 0)
            {
                return new EgressDecision(EgressOutcome.Unresolvable, shown, port, "resolve_failed", $"{shown} does not resolve.", []);
            }
        }

        var checkedAddresses = new List<IPAddress>(addresses.Count);
        foreach (var address in addresses)
        {
            var verdict = guard.Judge(address, port, host.IsAddress ? null : host.Name);
            if (!verdict.Allowed)
            {
                var reason = host.IsAddress ? verdict.Reason : $"{shown} resolves to {verdict.Reason}";
                return Refuse(shown, port, verdict.Category, $"The address is not reachable from this browser: {reason}.");
            }
            // Connect by IPv4 when an IPv4-mapped address was judged by its IPv4 form.
            checkedAddresses.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : HostNormalizer.StripScope(address));
        }
        return new EgressDecision(EgressOutcome.Allowed, shown, port, "allowed", "allowed", checkedAddresses);
    }

    private static EgressDecision Refuse(string host, int port, string category, string reason) =>
        new(EgressOutcome.Refused, host, port, category, reason, []);

    internal static bool IsSameEndpoint(IPAddress a, IPEndPoint listening, int port) =>
        port == listening.Port && (a.Equals(listening.Address) || IPAddress.IsLoopback(a) || a.Equals(IPAddress.Any)
            || a.Equals(IPAddress.IPv6Any) || a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(a.MapToIPv4()));
}
