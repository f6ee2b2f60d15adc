using BrowserIsolation.Runner.Participants;

namespace BrowserIsolation.Tests.Unit.Participants;

[Trait("Category", "Unit")]
public sealed class ControlStateTests
{
    private const string Owner = "owner", Ann = "ann", Bob = "bob", Val = "val";

    private static (ControlState Control, TestRoster Roster) Meeting()
    {
        var roster = new TestRoster().With(Owner, ParticipantRoles.Owner).With(Ann, ParticipantRoles.Controller)
            .With(Bob, ParticipantRoles.Controller).With(Val, ParticipantRoles.Viewer);
        var control = new ControlState(ControlMode.Exclusive);
        Assert.Equal(new ControlChange("taken", Owner, Owner), control.Take(Owner, roster));
        return (control, roster);
    }

    private static string Refusal(Action action) => Assert.Throws<ControlRefusedException>(action).Code;

    [Fact]
    public void NobodyHasControlAtFirst()
    {
        var roster = new TestRoster().With(Ann, ParticipantRoles.Controller).With(Owner, ParticipantRoles.Owner);
        var control = new ControlState(ControlMode.Exclusive);
        Assert.Null(control.Holder);
        Assert.False(control.HasControl(Owner, roster));
        Assert.Empty(control.Controllers(roster));
    }

    [Fact]
    public void RequestsWaitInOrderUntilTheHolderOrAnOwnerGrantsOne()
    {
        var (control, roster) = Meeting();
        Assert.Equal(new ControlChange("requested", Ann, Ann), control.Request(Ann, roster));
        Assert.Equal(new ControlChange("requested", Bob, Bob), control.Request(Bob, roster));
        Assert.Null(control.Request(Ann, roster)); // asking twice changes nothing
        Assert.Equal([Ann, Bob], control.Requests);

        Assert.Equal("not_allowed", Refusal(() => control.Grant(Bob, Bob, roster)));
        Assert.Equal(new ControlChange("granted", Ann, Owner, Owner), control.Grant(Owner, Ann, roster));
        Assert.True(control.HasControl(Ann, roster));
        Assert.False(control.HasControl(Owner, roster));
        Assert.Equal([Bob], control.Requests);

        // The holder hands over directly.
        Assert.Equal(new ControlChange("granted", Bob, Ann, Ann), control.Grant(Ann, Bob, roster));
        Assert.Empty(control.Requests);
    }

    [Fact]
    public void ARequestWhileNobodyHoldsControlIsGrantedAtOnce()
    {
        var roster = new TestRoster().With(Ann, ParticipantRoles.Controller);
        var control = new ControlState(ControlMode.Exclusive);
        Assert.Equal(new ControlChange("granted", Ann, Ann), control.Request(Ann, roster));
        Assert.Equal(Ann, control.Holder);
    }

    [Fact]
    public void AnOwnerTakesControlBackAtAnyTimeAndOnlyAnOwner()
    {
        var (control, roster) = Meeting();
        control.Grant(Owner, Ann, roster);
        Assert.Equal("not_allowed", Refusal(() => control.Take(Bob, roster)));
        Assert.Equal(new ControlChange("taken", Owner, Owner, Ann), control.Take(Owner, roster));
        Assert.True(control.HasControl(Owner, roster));
        Assert.Null(control.Take(Owner, roster));
    }

    [Fact]
    public void ReleasingPassesControlToTheOldestRequestOrLeavesItFree()
    {
        var (control, roster) = Meeting();
        Assert.Equal("not_in_control", Refusal(() => control.Release(Ann, roster)));
        control.Request(Bob, roster);
        control.Request(Ann, roster);
        Assert.Equal(new ControlChange("released", Bob, Owner, Owner), control.Release(Owner, roster));
        Assert.Equal(new ControlChange("released", Ann, Bob, Bob), control.Release(Bob, roster));
        Assert.Equal(new ControlChange("released", null, Ann, Ann), control.Release(Ann, roster));
        Assert.Null(control.Holder);
        Assert.Empty(control.Controllers(roster));
    }

    [Fact]
    public void ViewersCanNeitherAskForNorReceiveControl()
    {
        var (control, roster) = Meeting();
        Assert.Equal("viewer_cannot_control", Refusal(() => control.Request(Val, roster)));
        Assert.Equal("viewer_cannot_control", Refusal(() => control.Grant(Owner, Val, roster)));
        Assert.Equal("participant_not_found", Refusal(() => control.Grant(Owner, "nobody", roster)));
        Assert.False(control.HasControl(Val, roster));
    }

    [Fact]
    public void TheIdleTimeoutHandsControlToTheOldestRequestElseBackToAnOwner()
    {
        var (control, roster) = Meeting();
        control.Grant(Owner, Ann, roster);
        control.Request(Bob, roster);
        Assert.Equal(new ControlChange("idle", Bob, null, Ann), control.Idle(roster));
        Assert.Equal(new ControlChange("idle", Owner, null, Bob), control.Idle(roster));
        // An owner with nobody to hand to keeps it.
        Assert.Null(control.Idle(roster));
        Assert.Equal(Owner, control.Holder);
    }

    [Fact]
    public void AHolderWhoLeavesOrBecomesAViewerPassesControlOn()
    {
        var (control, roster) = Meeting();
        control.Grant(Owner, Ann, roster);
        control.Request(Bob, roster);
        control.Request(Owner, roster);
        roster.Role(Ann, ParticipantRoles.Viewer);
        Assert.Equal(new ControlChange("left", Bob, null, Ann), control.Changed(Ann, roster));
        roster.Without(Owner);
        Assert.Equal(new ControlChange("left", null, null, Bob), control.Changed(Owner, roster) ?? control.Changed(Bob, roster.Without(Bob)));
        Assert.Empty(control.Requests);
        Assert.Null(control.Holder);
    }

    [Fact]
    public void ARemovedRequesterIsForgottenWithoutAnEvent()
    {
        var (control, roster) = Meeting();
        control.Request(Ann, roster);
        Assert.Null(control.Changed(Ann, roster.Without(Ann)));
        Assert.Empty(control.Requests);
    }

    [Fact]
    public void CancelAndDenyDropARequest()
    {
        var (control, roster) = Meeting();
        control.Request(Ann, roster);
        control.Request(Bob, roster);
        Assert.Equal(new ControlChange("cancelled", Ann, Ann), control.Cancel(Ann));
        Assert.Null(control.Cancel(Ann));
        Assert.Equal("not_allowed", Refusal(() => control.Deny(Ann, Bob, roster)));
        Assert.Equal(new ControlChange("denied", Bob, Owner), control.Deny(Owner, Bob, roster));
        Assert.Empty(control.Requests);
    }

    [Fact]
    public void RevokeLeavesControlFreeAndTheOperatorActsAsAnOwner()
    {
        var (control, roster) = Meeting();
        Assert.Equal(new ControlChange("granted", Ann, null, Owner), control.Grant(null, Ann, roster));
        Assert.Equal("not_allowed", Refusal(() => control.Revoke(Bob, Ann, roster)));
        Assert.Null(control.Revoke(null, Bob, roster)); // not the holder: nothing to take
        Assert.Equal(new ControlChange("revoked", Ann, null, Ann), control.Revoke(null, Ann, roster));
        Assert.Null(control.Holder);
    }

    [Fact]
    public void SharedModeLetsEveryControllerAndOwnerDriveAtOnce()
    {
        var (control, roster) = Meeting();
        control.Request(Ann, roster);
        Assert.Equal("not_allowed", Refusal(() => control.SetMode(Ann, ControlMode.Shared, roster)));
        Assert.Equal(new ControlChange("mode", null, Owner, Owner), control.SetMode(Owner, ControlMode.Shared, roster));
        Assert.Equal([Owner, Ann, Bob], control.Controllers(roster));
        Assert.True(control.HasControl(Bob, roster));
        Assert.False(control.HasControl(Val, roster));
        Assert.Empty(control.Requests);
        Assert.Null(control.Request(Ann, roster));
        Assert.Null(control.Release(Ann, roster));
        Assert.Equal("shared_mode", Refusal(() => control.Grant(Owner, Ann, roster)));

        // Back to exclusive: the owner who switched drives; the operator's switch gives it to the first owner.
        Assert.Equal(new ControlChange("mode", Owner, Owner, null), control.SetMode(Owner, ControlMode.Exclusive, roster));
        control.SetMode(Owner, ControlMode.Shared, roster);
        Assert.Equal(Owner, control.SetMode(null, ControlMode.Exclusive, roster)?.ParticipantId);
        Assert.Equal([Owner], control.Controllers(roster));
    }
}
