namespace BrowserIsolation.Orchestrator.Store;

/// <summary>This orchestrator process among the replicas sharing a store: tags its notifications and pool runners.</summary>
public sealed class ReplicaIdentity
{
    public string Id { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
}
