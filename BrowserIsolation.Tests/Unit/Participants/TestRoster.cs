using BrowserIsolation.Runner.Participants;

namespace BrowserIsolation.Tests.Unit.Participants;

/// <summary>A roster the tests edit directly: who is here, in join order, with which role.</summary>
internal sealed class TestRoster : IRoster
{
    private readonly List<(string Id, string Role)> _present = [];

    public TestRoster With(string id, string role)
    {
        _present.RemoveAll(p => p.Id == id);
        _present.Add((id, role));
        return this;
    }

    public TestRoster Without(string id)
    {
        _present.RemoveAll(p => p.Id == id);
        return this;
    }

    public TestRoster Role(string id, string role)
    {
        var i = _present.FindIndex(p => p.Id == id);
        _present[i] = (id, role);
        return this;
    }

    public string? RoleOf(string participantId) => _present.FirstOrDefault(p => p.Id == participantId).Role;

    public IEnumerable<string> Present => _present.Select(p => p.Id);
}
