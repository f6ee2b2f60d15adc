using Docker.DotNet;
using Docker.DotNet.Models;

namespace BrowserIsolation.Tests.Integration.Docker;

/// <summary>
/// The processes of a container as the kernel sees them: <c>docker top</c> gives host PIDs (the daemon runs on this
/// machine), /proc gives each one's namespaces, credentials, capabilities and seccomp mode.
/// </summary>
public sealed record ContainerProcess(int Pid, string Command, string UserNamespace, string PidNamespace, IReadOnlyDictionary<string, string> Status)
{
    public static async Task<List<ContainerProcess>> ListAsync(IDockerClient docker, string containerId)
    {
        var top = await docker.Containers.ListProcessesAsync(containerId, new ContainerListProcessesParameters { PsArgs = "-eo pid,args" }, CancellationToken.None);
        var pids = Column(top, "PID").Select(int.Parse).ToList();
        var commands = Column(top, "COMMAND").ToList();
        var list = new List<ContainerProcess>();
        for (var i = 0; i < pids.Count; i++)
        {
            var proc = $"/proc/{pids[i]}";
            try
            {
                var status = File.ReadAllLines($"{proc}/status")
                    .Select(l => l.Split(':', 2))
                    .Where(p => p.Length == 2)
                    .ToDictionary(p => p[0], p => p[1].Trim());
                list.Add(new ContainerProcess(pids[i], commands[i], new FileInfo($"{proc}/ns/user").LinkTarget ?? "",
                    new FileInfo($"{proc}/ns/pid").LinkTarget ?? "", status));
            }
            catch (IOException)
            {
                // ended between top and now
            }
        }
        return list;
    }

    /// <summary>The values of one <c>ps</c> column over all processes.</summary>
    public static IEnumerable<string> Column(ContainerProcessesResponse top, string title)
    {
        var index = top.Titles.ToList().FindIndex(t => string.Equals(t, title, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? [] : top.Processes.Select(p => p[index]);
    }

    public bool IsChromium => Command.Contains("/usr/lib/chromium/chromium", StringComparison.Ordinal);

    public bool IsRenderer => IsChromium && Command.Contains("--type=renderer", StringComparison.Ordinal);
}
