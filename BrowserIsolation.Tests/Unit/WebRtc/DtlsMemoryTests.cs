using System.Runtime.InteropServices;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "Native memory (runs alone)";
}

/// <summary>
/// Leak check for the OpenSSL side: every transport owns an SSL, two BIOs, the peer certificate and a GC handle.
/// Runs alone (no other test allocating) and counts glibc's heap in use rather than the noisy resident size.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
[Trait("Category", "WebRtc")]
public partial class DtlsMemoryTests
{
    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2
    {
        public nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }

    [LibraryImport("libc.so.6")]
    private static partial MallInfo2 mallinfo2();

    private static long NativeHeapInUse()
    {
        var info = mallinfo2();
        return (long)(info.Uordblks + info.Hblkhd);
    }

    [Fact]
    public void FiveHundredHandshakesLeaveNoNativeMemoryBehind()
    {
        using var serverContext = new DtlsContext();
        using var clientContext = new DtlsContext();
        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                using var pair = new DtlsPair(serverContext, clientContext);
                Assert.True(pair.Handshake(TimeSpan.FromSeconds(10)));
                using var srtp = new SrtpSession(pair.Server.Keys!);
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }
        Run(50); // warm-up: OpenSSL's and the runtime's one-time allocations
        var before = NativeHeapInUse();
        Run(500);
        var grown = NativeHeapInUse() - before;
        // A leaked SSL with its BIOs and peer certificate is ~140 KiB: 500 of them measured +70 MiB. The heap is the
        // whole process's, so background threads of earlier tests can add a few MiB: allow 8 MiB (16 KiB a handshake).
        Assert.True(grown < 8 << 20, $"native heap grew by {grown >> 10} KiB over 500 handshakes");
    }
}
