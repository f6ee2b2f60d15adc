using System.Collections.Concurrent;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

/// <summary>
/// Two real DtlsTransports wired back to back through queues (no sockets): the test thread delivers datagrams,
/// optionally dropping some, while each transport's own timer handles retransmission.
/// </summary>
internal sealed class DtlsPair : IDisposable
{
    private readonly ConcurrentQueue<byte[]> _toServer = new();
    private readonly ConcurrentQueue<byte[]> _toClient = new();

    public DtlsPair(DtlsContext serverContext, DtlsContext clientContext,
        CertificateFingerprint? fingerprintServerExpects = null, CertificateFingerprint? fingerprintClientExpects = null)
    {
        Server = new DtlsTransport(serverContext, DtlsRole.Server, fingerprintServerExpects ?? clientContext.LocalFingerprint,
            d => _toClient.Enqueue(d.ToArray()));
        Client = new DtlsTransport(clientContext, DtlsRole.Client, fingerprintClientExpects ?? serverContext.LocalFingerprint,
            d => _toServer.Enqueue(d.ToArray()));
    }

    public DtlsTransport Server { get; }

    public DtlsTransport Client { get; }

    /// <summary>Datagram sizes in the order they were delivered (or dropped), for assertions on packing.</summary>
    public List<(bool ToServer, int Size, bool Dropped)> Log { get; } = [];

    /// <summary>Return true to drop the n-th datagram (0-based, per direction).</summary>
    public Func<bool, int, bool> Drop { get; set; } = (_, _) => false;

    public void Start() => Client.Start();

    /// <summary>Delivers until both sides are done (connected, failed or closed) or the time runs out.</summary>
    public bool PumpUntil(Func<bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int toServerCount = 0, toClientCount = 0;
        while (DateTime.UtcNow < deadline)
        {
            if (done())
            {
                return true;
            }
            var moved = false;
            if (_toServer.TryDequeue(out var up))
            {
                var drop = Drop(true, toServerCount++);
                Log.Add((true, up.Length, drop));
                if (!drop) Server.HandleDatagram(up);
                moved = true;
            }
            if (_toClient.TryDequeue(out var down))
            {
                var drop = Drop(false, toClientCount++);
                Log.Add((false, down.Length, drop));
                if (!drop) Client.HandleDatagram(down);
                moved = true;
            }
            if (!moved)
            {
                Thread.Sleep(1);
            }
        }
        return done();
    }

    public bool Handshake(TimeSpan timeout)
    {
        Start();
        return PumpUntil(() => IsFinal(Server.State) && IsFinal(Client.State), timeout);
    }

    private static bool IsFinal(DtlsState state) => state is DtlsState.Connected or DtlsState.Failed or DtlsState.Closed;

    public void Dispose()
    {
        Server.Dispose();
        Client.Dispose();
    }
}
