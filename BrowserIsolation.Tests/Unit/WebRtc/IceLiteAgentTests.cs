using System.Net;
using BrowserIsolation.Runner.WebRtc;

namespace BrowserIsolation.Tests.Unit.WebRtc;

[Trait("Category", "WebRtc")]
public class IceLiteAgentTests
{
    private static readonly IceCredentials Local = new("LoCaLuFr", "localpasswordlocalpassw0");
    private const string RemoteUfrag = "rEmO";
    private const string RemotePwd = "remotepasswordremotepas";
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

    /// <summary>The browser's side of our consent check: answers it, signed with its own password, from <paramref name="from"/>.</summary>
    private static StunMessage AnswerCheck(byte[] check, IPEndPoint from, string password = RemotePwd)
    {
        Assert.True(StunMessage.TryParse(check, out var request));
        var response = new StunMessage(StunMessage.BindingSuccessResponse, request.TransactionId).AddXorMappedAddress(from).ToBytes(password);
        Assert.True(StunMessage.TryParse(response, out var parsed));
        return parsed;
    }

    /// <summary>A check from <paramref name="source"/> and the browser's answer to ours: the address is then confirmed.</summary>
    private static IceCheckResult Confirm(IceLiteAgent agent, IPEndPoint source, bool useCandidate = false)
    {
        var held = agent.Handle(Request(useCandidate: useCandidate), source);
        Assert.NotNull(held.CheckSent);
        return agent.Handle(AnswerCheck(held.Response!, source), source);
    }

    [Fact]
    public void ANewAddressIsAnsweredOnlyAfterItAnsweredOurCheck()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        var request = Request();
        var held = agent.Handle(request, A);
        Assert.True(held.IsValid);
        Assert.False(held.Confirmed);
        Assert.False(held.SelectedChanged);
        Assert.Null(agent.SelectedEndPoint);
        Assert.False(agent.IsValidated(A));

        // Our check: a Binding request as the controlled agent, signed with the browser's password.
        Assert.True(StunMessage.TryParse(Assert.Single(held.Replies!), out var check));
        Assert.Equal(StunMessage.BindingRequest, check.Type);
        Assert.Equal("rEmO:LoCaLuFr", check.Username);
        Assert.NotNull(check.IceControlled);
        Assert.NotNull(check.Priority);
        Assert.True(check.HasFingerprint);
        Assert.True(check.VerifyIntegrity(RemotePwd));
        Assert.Equal(Convert.ToHexString(check.TransactionId), held.CheckSent);

        // The browser answers: the address is confirmed, selected, and the held request gets its success.
        var confirmed = agent.Handle(AnswerCheck(held.Response!, A), A);
        Assert.True(confirmed.Confirmed);
        Assert.True(confirmed.SelectedChanged);
        Assert.Equal(held.CheckSent, confirmed.CheckRetired);
        var response = ParseResponse(confirmed);
        Assert.Equal(StunMessage.BindingSuccessResponse, response.Type);
        Assert.Equal(request.TransactionId.ToArray(), response.TransactionId.ToArray());
        Assert.Equal(A, response.XorMappedAddress);
        Assert.True(response.VerifyIntegrity(Local.Password));
        Assert.Equal(A, agent.SelectedEndPoint);
        Assert.True(agent.IsValidated(A));
        Assert.False(agent.IsValidated(B));
        Assert.False(agent.IsNominated);

        // From then on its checks are answered at once.
        var again = agent.Handle(Request(), A);
        Assert.True(again.Confirmed);
        Assert.Equal(StunMessage.BindingSuccessResponse, ParseResponse(again).Type);
    }

    [Fact]
    public void UseCandidateNominatesAndMovesTheSelectionOnlyToAConfirmedAddress()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        Confirm(agent, A);
        Assert.False(agent.Handle(Request(), A).SelectedChanged);

        // An authenticated nomination from B (spoofed, say) moves nothing until B answers our check.
        var nominated = agent.Handle(Request(useCandidate: true), B);
        Assert.False(nominated.SelectedChanged);
        Assert.Equal(A, agent.SelectedEndPoint);
        var moved = agent.Handle(AnswerCheck(nominated.Response!, B), B);
        Assert.True(moved.SelectedChanged);
        Assert.Equal(B, agent.SelectedEndPoint);
        Assert.True(agent.IsNominated);
        // A plain check on the old address keeps the nomination where it is.
        Assert.False(agent.Handle(Request(), A).SelectedChanged);
        Assert.Equal(B, agent.SelectedEndPoint);
    }

    [Fact]
    public void ForgedOrMisroutedAnswersToOurCheckConfirmNothing()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        var held = agent.Handle(Request(useCandidate: true), A);
        // Signed with the wrong password (whoever is at A does not know the browser's), or answered from elsewhere.
        Assert.False(agent.Handle(AnswerCheck(held.Response!, A, password: "someone-elses-password-x"), A).Confirmed);
        Assert.False(agent.Handle(AnswerCheck(held.Response!, A), B).Confirmed);
        var unsigned = new StunMessage(StunMessage.BindingSuccessResponse, StunMessageTransaction(held.Response!)).AddXorMappedAddress(A).ToBytes();
        Assert.True(StunMessage.TryParse(unsigned, out var plain));
        Assert.False(agent.Handle(plain, A).Confirmed);
        // A success for another transaction id.
        var other = StunMessage.Create(StunMessage.BindingSuccessResponse).AddXorMappedAddress(A).ToBytes(RemotePwd);
        Assert.True(StunMessage.TryParse(other, out var stray));
        Assert.False(agent.Handle(stray, A).Confirmed);
        Assert.Null(agent.SelectedEndPoint);
        Assert.False(agent.IsValidated(A));
        // The real answer still works.
        Assert.True(agent.Handle(AnswerCheck(held.Response!, A), A).Confirmed);
        Assert.Equal(A, agent.SelectedEndPoint);
    }

    [Fact]
    public void PendingAddressesAreBoundedAndChecksAreNotResentInATightLoop()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        var first = agent.Handle(Request(), A);
        Assert.NotNull(first.CheckSent);
        var second = agent.Handle(Request(), A);
        Assert.Null(second.CheckSent);
        Assert.Empty(second.Replies!);
        for (var port = 1; port < IceLiteAgent.MaxPendingAddresses; port++)
        {
            Assert.NotNull(agent.Handle(Request(), new IPEndPoint(IPAddress.Loopback, 51000 + port)).CheckSent);
        }
        var beyond = agent.Handle(Request(), new IPEndPoint(IPAddress.Loopback, 52000));
        Assert.Null(beyond.CheckSent);
        Assert.Equal(IceLiteAgent.MaxPendingAddresses, agent.ChecksSent);
    }

    private static byte[] StunMessageTransaction(byte[] datagram)
    {
        Assert.True(StunMessage.TryParse(datagram, out var message));
        return message.TransactionId.ToArray();
    }

    [Fact]
    public void MissingCredentialsAre400WithoutIntegrity()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
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
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        var result = agent.Handle(Request(username, password), A);
        Assert.Equal(401, result.ErrorCode);
        Assert.False(ParseResponse(result).HasIntegrity);
        Assert.Null(agent.SelectedEndPoint);
        Assert.False(agent.IsValidated(A));
    }

    [Fact]
    public void ControlledPeerGetsRoleConflict()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        var result = agent.Handle(Request(controlled: true), A);
        Assert.Equal(487, result.ErrorCode);
        var response = ParseResponse(result);
        Assert.True(response.VerifyIntegrity(Local.Password));
        Assert.Null(agent.SelectedEndPoint);
    }

    [Fact]
    public void UnknownComprehensionRequiredAttributeIs420()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
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
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
        Assert.True(StunMessage.TryParse(StunMessage.Create(StunMessage.BindingIndication).ToBytes(), out var indication));
        Assert.Null(agent.Handle(indication, A).Response);
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769IPv4Response, out var response));
        Assert.Null(agent.Handle(response, A).Response);
    }

    [Fact]
    public void RequestsWithoutFingerprintAreNotIce()
    {
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15));
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
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15), clock);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.False(agent.IsConsentExpired);
        Confirm(agent, A);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(agent.IsConsentExpired);
        agent.Handle(Request(), A);
        // Checks from another, unconfirmed address keep no consent for the selected one.
        agent.Handle(Request(), B);
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
        var agent = new IceLiteAgent(Local, RemoteUfrag, RemotePwd, TimeSpan.FromSeconds(15), clock);
        clock.Advance(TimeSpan.FromSeconds(16));
        Assert.True(agent.IsConsentExpired);
    }

    [Fact]
    public void Rfc5769RequestIsAnsweredWhenCredentialsMatchIt()
    {
        // The RFC request is from a controlled agent ("evtj" asking "h6vY"): a lite agent answers 487.
        var agent = new IceLiteAgent(new IceCredentials("evtj", Vectors.Rfc5769Password), "h6vY", RemotePwd, TimeSpan.FromSeconds(15));
        Assert.True(StunMessage.TryParse(Vectors.Rfc5769Request, out var request));
        var result = agent.Handle(request, A);
        Assert.Equal(487, result.ErrorCode);
        Assert.True(ParseResponse(result).VerifyIntegrity(Vectors.Rfc5769Password));
    }
}
