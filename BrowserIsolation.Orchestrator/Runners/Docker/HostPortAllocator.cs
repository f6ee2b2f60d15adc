using System.Net;
using System.Net.Sockets;

namespace BrowserIsolation.Orchestrator.Runners.Docker;

/// <summary>
/// Picks host ports for runner containers from a configured range, round robin, skipping ports that other runners hold
/// and, when the daemon runs on this machine, ports something else already binds.
/// </summary>
internal sealed class HostPortAllocator
{
    private readonly Lock _gate = new();
    private readonly HashSet<int> _reserved = [];
    private readonly int _first;
    private readonly int _last;
    private readonly IPAddress? _probeAddress;
    private int _next;

    /// <param name="probeAddress">Where to test-bind candidate ports; null when the daemon is on another machine.</param>
    public HostPortAllocator(int first, int last, IPAddress? probeAddress)
    {
        _first = first;
        _last = last;
        _probeAddress = probeAddress;
        _next = first;
    }

    /// <summary>Reserves a port not in <paramref name="inUse"/>; release it with <see cref="Release"/>.</summary>
    public int Reserve(IReadOnlySet<int> inUse, ProtocolType protocol)
    {
        lock (_gate)
        {
            for (var i = 0; i <= _last - _first; i++)
            {
                var port = _next;
                _next = _next == _last ? _first : _next + 1;
                if (!_reserved.Contains(port) && !inUse.Contains(port) && IsFreeHere(port, protocol))
                {
                    _reserved.Add(port);
                    return port;
                }
            }
        }
        throw new InvalidOperationException($"no free host port left in {_first}-{_last} (Runner:Docker:PortRange)");
    }

    public void Release(int port)
    {
        lock (_gate)
        {
            _reserved.Remove(port);
        }
    }

    private bool IsFreeHere(int port, ProtocolType protocol)
    {
        if (_probeAddress is not { } probeAddress)
        {
            return true;
        }
        try
        {
            using var socket = protocol == ProtocolType.Udp
                ? new Socket(probeAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
                : new Socket(probeAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(probeAddress, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
