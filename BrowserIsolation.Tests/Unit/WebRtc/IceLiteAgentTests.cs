using System.Net;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class IceLiteAgentTests
{
    private static readonly IceCredentials Local = new("LoCaLuFr", "localpasswordlocalpassw0");
    private const string RemoteUfrag = "rEmO";
    private static readonly IPEndPoint A = new(IPAddress.Loopback, 50001);
    private static readonly IPEndPoint B = new(IPAddress.Parse("127.0.0.2"), 50002);

    private static StunMessage Request(string? username = "LoCaLuFr:rEmO", string? password = "localpasswordlocalpassw0",
        bool useCandidate = false, bool controlled = false, ushort? extra = null)
    {
        var request = StunMessage.Create(StunMessage.BindingRequest);
        if (username is not null) request.AddString(StunAttributeType.Username, username);
        request.AddUInt32(StunAttributeType.Priority, 1845501695);
        if (controlled) request.AddUInt64(StunAttributeType.IceControlled, 42);
        else request.AddUInt64(StunAttributeType.IceControlling, 42);
        if (useCandidate) request.AddFlag(StunAttributeType.UseCandidate);
        if (extra is { } type) request.Add(type, [1, 2, 3, 4]);
        var bytes = password is null ? request.ToBytes() : request.ToBytes(password);
        Assert.True(StunMessage.TryParse(bytes, out var parsed));
        return parsed;
    }

    private static StunMessage ParseResponse(IceCheckResult result)
    {
        Assert.NotNull(result.Response);
        Assert.True(StunMessage.TryParse(result.Response, out var response));
        Assert.True(response.HasFingerprint);
        return response;
    }

    [Fact]
    public void ValidCheckGetsAnAuthenticatedSuccessWithTheSourceAddress()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        var request = Request();
        var result = agent.Handle(request, A);
        Assert.True(result.IsValid);
        Assert.True(result.SelectedChanged);
        var response = ParseResponse(result);
        Assert.Equal(StunMessage.BindingSuccessResponse, response.Type);
        Assert.Equal(request.TransactionId.ToArray(), response.TransactionId.ToArray());
        Assert.Equal(A, response.XorMappedAddress);
        Assert.True(response.VerifyIntegrity(Local.Password));
        Assert.Equal(A, agent.SelectedEndPoint);
        Assert.True(agent.IsValidated(A));
        Assert.False(agent.IsValidated(B));
        Assert.False(agent.IsNominated);
    }

    [Fact]
    public void UseCandidateNominatesAndMovesTheSelection()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        agent.Handle(Request(), A);
        var again = agent.Handle(Request(), A);
        Assert.False(again.SelectedChanged);
        var nominated = agent.Handle(Request(useCandidate: true), B);
        Assert.True(nominated.SelectedChanged);
        Assert.Equal(B, agent.SelectedEndPoint);
        Assert.True(agent.IsNominated);
        // A plain check on the old address keeps the nomination where it is.
        Assert.False(agent.Handle(Request(), A).SelectedChanged);
        Assert.Equal(B, agent.SelectedEndPoint);
    }

    [Fact]
    public void MissingCredentialsAre400WithoutIntegrity()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        foreach (var request in new[] { Request(username: null), Request(password: null) })
        {
            var result = agent.Handle(request, A);
            Assert.False(result.IsValid);
            Assert.Equal(400, result.ErrorCode);
            var response = ParseResponse(result);
            Assert.Equal(StunMessage.BindingErrorResponse, response.Type);
            Assert.Equal(400, response.Error!.Value.Code);
            Assert.False(response.HasIntegrity);
        }
        Assert.Null(agent.SelectedEndPoint);
    }

    [Theory]
    [InlineData("wrongufr:rEmO", "localpasswordlocalpassw0")]
    [InlineData("LoCaLuFr:other", "localpasswordlocalpassw0")]
    [InlineData("LoCaLuFr:rEmO", "not-the-right-password-at-all")]
    public void WrongUsernameOrPasswordIs401(string username, string password)
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        var result = agent.Handle(Request(username, password), A);
        Assert.Equal(401, result.ErrorCode);
        Assert.False(ParseResponse(result).HasIntegrity);
        Assert.Null(agent.SelectedEndPoint);
        Assert.False(agent.IsValidated(A));
    }

    [Fact]
    public void ControlledPeerGetsRoleConflict()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        var result = agent.Handle(Request(controlled: true), A);
        Assert.Equal(487, result.ErrorCode);
        var response = ParseResponse(result);
        Assert.True(response.VerifyIntegrity(Local.Password));
        Assert.Null(agent.SelectedEndPoint);
    }

    [Fact]
    public void UnknownComprehensionRequiredAttributeIs420()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        var result = agent.Handle(Request(extra: 0x0077), A);
        Assert.Equal(420, result.ErrorCode);
        var response = ParseResponse(result);
        Assert.True(response.TryGetAttribute(StunAttributeType.UnknownAttributes, out var unknown));
        Assert.Equal(new byte[] { 0x00, 0x77 }, unknown.ToArray());
        // Comprehension-optional attributes (Chrome's GOOG-NETWORK-INFO, 0xC057) are ignored.
        Assert.True(agent.Handle(Request(extra: 0xC057), A).IsValid);
    }

    [Fact]
    public void IndicationsAndResponsesAreDroppedSilently()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        Assert.True(StunMessage.TryParse(StunMessage.Create(StunMessage.BindingIndication).ToBytes(), out var indication));
        Assert.Null(agent.Handle(indication, A).Response);
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769IPv4Response, out var response));
        Assert.Null(agent.Handle(response, A).Response);
    }

    [Fact]
    public void RequestsWithoutFingerprintAreNotIce()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15));
        var bytes = StunMessage.Create(StunMessage.BindingRequest)
            .AddString(StunAttributeType.Username, "LoCaLuFr:rEmO")
            .ToBytes("localpasswordlocalpassw0"u8, fingerprint: false);
        Assert.True(StunMessage.TryParse(bytes, out var request));
        Assert.Null(agent.Handle(request, A).Response);
        Assert.Null(agent.SelectedEndPoint);
    }

    [Fact]
    public void ConsentExpiresWithoutChecksAndIsRefreshedByThem()
    {
        var clock = new ManualClock();
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15), clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(agent.IsConsentExpired);
        agent.Handle(Request(), A);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(agent.IsConsentExpired);
        agent.Handle(Request(), A);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(agent.IsConsentExpired);
        // Failed checks do not refresh consent.
        agent.Handle(Request(password: "not-the-right-password-at-all"), A);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(agent.IsConsentExpired);
    }

    [Fact]
    public void NoCheckAtAllExpiresFromCreation()
    {
        var clock = new ManualClock();
        var agent = new IceLiteAgent(Local, RemoteUfrag, TimeSpan.FromSeconds(15), clock);
        clock.Advance(TimeSpan.FromSeconds(16));
        Assert.True(agent.IsConsentExpired);
    }

    [Fact]
    public void Rfc5769RequestIsAnsweredWhenCredentialsMatchIt()
    {
        // The RFC request is from a controlled agent ("evtj" asking "h6vY"): a lite agent answers 487.
        var agent = new IceLiteAgent(new IceCredentials("evtj", Vectors.Rfc5769Password), "h6vY", TimeSpan.FromSeconds(15));
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769Request, out var request));
        var result = agent.Handle(request, A);
        Assert.Equal(487, result.ErrorCode);
        Assert.True(ParseResponse(result).VerifyIntegrity(Vectors.Rfc5769Password));
    }
}
