namespace BrowserIsolation.Orchestrator.Store;

/// <summary>The shared store did not answer in time or is unreachable; the API turns this into a 503 problem.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
