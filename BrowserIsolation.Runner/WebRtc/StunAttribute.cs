namespace BrowserIsolation.Runner.WebRtc;

/// <summary>One type-length-value attribute; <paramref name="Value"/> excludes the padding.</summary>
public readonly record struct StunAttribute(ushort Type, ReadOnlyMemory<byte> Value);
