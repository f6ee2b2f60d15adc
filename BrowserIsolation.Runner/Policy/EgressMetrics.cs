using System.Diagnostics.Metrics;

namespace BrowserIsolation.Runner.Policy;

/// <summary>Instruments of the egress guard, on the shared "BrowserIsolation" meter.</summary>
public sealed class EgressMetrics : IDisposable
{
    public const string MeterName = "BrowserIsolation";
    public const string RefusedName = "browserisolation.egress.refused";
    public const string RequestsName = "browserisolation.egress.requests";
    public const string ActiveName = "browserisolation.egress.active_connections";

    private readonly Meter? _ownedMeter;

    public EgressMetrics(IMeterFactory? meterFactory = null)
    {
        var meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        Refused = meter.CreateCounter<long>(RefusedName, "{request}", "Requests the egress guard refused, by reason category.");
        Requests = meter.CreateCounter<long>(RequestsName, "{request}", "Requests through the egress proxy, by kind and outcome.");
        Active = meter.CreateUpDownCounter<long>(ActiveName, "{connection}", "Client connections open on the egress proxy.");
    }

    /// <summary>Tags: <c>reason</c> (AddressVerdict category or "policy"), <c>kind</c> (connect or http).</summary>
    public Counter<long> Refused { get; }

    /// <summary>Tags: <c>kind</c>, <c>outcome</c> (allowed, refused, unresolvable, bad_request, upstream_error, busy).</summary>
    public Counter<long> Requests { get; }

    public UpDownCounter<long> Active { get; }

    public void Dispose() => _ownedMeter?.Dispose();
}
