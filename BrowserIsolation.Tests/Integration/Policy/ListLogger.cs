using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BrowserIsolation.Tests.Integration.Policy;

/// <summary>Keeps log lines in memory so a failing test can show what the proxy saw.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
        while (Lines.Count > 2000)
        {
            Lines.TryDequeue(out _);
        }
    }

    public string Tail(int n = 60) => string.Join("\n", Lines.TakeLast(n));
}
