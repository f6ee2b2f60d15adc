namespace BrowserIsolation.Orchestrator.Sessions;

/// <summary>Configuration section <c>Sessions</c>: limits on what integrators may ask for.</summary>
public sealed class SessionLimits
{
    public const string Section = "Sessions";

    /// <summary>Sessions pending or ready at once, across every replica.</summary>
    public int MaxSessions { get; set; } = 10;

    /// <summary>No client connected for this long ends the session.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A session ends after this long, whatever it is doing.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long a session may stay pending before it is failed.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(45);

    /// <summary>Ended sessions stay visible to GET for this long.</summary>
    public TimeSpan EndedRetention { get; set; } = TimeSpan.FromMinutes(10);

    public int DefaultWidth { get; set; } = 1280;

    public int DefaultHeight { get; set; } = 720;

    public int MinWidth { get; set; } = 320;

    public int MaxWidth { get; set; } = 3840;

    public int MinHeight { get; set; } = 240;

    public int MaxHeight { get; set; } = 2160;

    public int MaxUrlLength { get; set; } = 2048;

    /// <summary>Largest request body the session API reads.</summary>
    public int MaxBodyBytes { get; set; } = 16 * 1024;

    /// <summary>Seconds a client is told to wait (Retry-After) when MaxSessions is reached.</summary>
    public int RetryAfterSeconds { get; set; } = 10;
}
