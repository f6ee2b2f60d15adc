namespace BrowserIsolation.Tests.Unit.WebRtc;

internal static class Hex
{
    /// <summary>Bytes from hex with any whitespace, so vectors can be laid out like the RFC diagrams.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));
}
