using System.Text;

namespace BrowserIsolation.Tests.Integration.Audio;

/// <summary>Pages for the runner's Chromium that make sound.</summary>
internal static class TonePage
{
    /// <summary>A steady sine at <paramref name="hz"/> (amplitude 0.3) from the moment the page loads.</summary>
    public static string Url(int hz = 440) => "data:text/html;base64," + Convert.ToBase64String(Encoding.UTF8.GetBytes($$"""
        <html><body style="margin:0;background:#204080;height:100vh">
        <script>
          const ctx = new AudioContext();
          const osc = ctx.createOscillator(); osc.frequency.value = {{hz}};
          const gain = ctx.createGain(); gain.gain.value = 0.3;
          osc.connect(gain).connect(ctx.destination); osc.start();
          document.title = 'tone ' + ctx.state;
        </script></body></html>
        """));
}
