import { useState } from 'react';
import type { OtherAction, SelfAction } from '../cobrowse/actions';
import { otherActions, selfActions } from '../cobrowse/actions';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import { controlSummary, type CoBrowseState } from '../cobrowse/state';
import type { ParticipantInfo, Quality } from '../protocol/events';
import { SpeakerIcon } from './SpeakerIcon';

const roleLabel = { owner: 'Owner', controller: 'Controller', viewer: 'Viewer' } as const;

const selfLabel: Record<SelfAction, string> = { request: 'Request control', cancel: 'Cancel request', release: 'Release control', take: 'Take control' };

const otherLabel: Record<OtherAction, string> = {
  grant: 'Give control',
  deny: 'Decline',
  revoke: 'Take away control',
  'make-controller': 'Make controller',
  'make-viewer': 'Make viewer',
  remove: 'Remove',
};

interface PanelProps {
  cobrowse: CoBrowseSession;
  state: CoBrowseState;
}

/** Who is here, who drives, and (for owners and the holder) the buttons to hand control around and manage people. */
export function ParticipantsPanel({ cobrowse, state }: PanelProps) {
  const me = state.me;
  const summary = controlSummary(state);
  return (
    <aside className="side-panel" data-testid="participants-panel" aria-label="Participants">
      <div className="side-panel__header">
        <h2 className="side-panel__title">
          People <span className="side-panel__count">{state.participants.length}</span>
        </h2>
        <span className="chip chip--control" data-testid="control-state" data-holder={state.control.holder ?? ''} data-mode={state.control.mode}>
          {summary}
        </span>
      </div>
      <SelfControls cobrowse={cobrowse} state={state} />
      <ul className="people" aria-label="Participants">
        {state.participants.map((p) => (
          <ParticipantRow key={p.participantId} cobrowse={cobrowse} state={state} person={p} self={p.participantId === me?.participantId} />
        ))}
      </ul>
      {me?.role === 'owner' && <OwnerSettings cobrowse={cobrowse} state={state} />}
    </aside>
  );
}

function SelfControls({ cobrowse, state }: PanelProps) {
  const actions = selfActions(state);
  if (actions.length === 0) {
    return state.me?.role === 'viewer' ? <p className="side-panel__hint">You are watching. An owner can let you take part.</p> : null;
  }
  return (
    <div className="side-panel__actions">
      {actions.map((action) => (
        <button
          key={action}
          type="button"
          className={`button ${action === 'release' || action === 'cancel' ? 'button--ghost' : 'button--primary'}`}
          data-testid={`${action === 'request' ? 'request' : action === 'cancel' ? 'cancel-request' : action === 'release' ? 'release' : 'take'}-control-button`}
          onClick={() => cobrowse.control(action)}
        >
          {selfLabel[action]}
        </button>
      ))}
    </div>
  );
}

function ParticipantRow({ cobrowse, state, person, self }: PanelProps & { person: ParticipantInfo; self: boolean }) {
  const actions = otherActions(state, person);
  const [confirming, setConfirming] = useState(false);
  const quality = state.quality[person.participantId] ?? person.quality;
  const status = person.control
    ? state.control.mode === 'shared' ? 'can drive' : 'has control'
    : person.requested ? 'asks for control' : !person.connected ? 'reconnecting…' : '';
  return (
    <li
      className={`person${person.control ? ' person--control' : ''}`}
      data-testid="participant"
      data-participant-id={person.participantId}
      data-role={person.role}
      data-control={person.control}
      data-requested={person.requested}
      data-connected={person.connected}
      data-hearing={person.hearing}
      data-self={self || undefined}
    >
      <div className="person__line">
        <span className="person__dot" style={{ background: person.color }} aria-hidden="true" />
        <span className="person__name" data-testid="participant-name">
          {person.name}
          {self && <span className="person__you"> (you)</span>}
        </span>
        {person.hearing && (
          <span className="person__hears" data-testid="participant-hears" role="img" aria-label={`${self ? 'You hear' : `${person.name} hears`} the sound`}
            title={self ? 'You hear the sound' : 'Hears the sound'}>
            <SpeakerIcon variant="on" />
          </span>
        )}
        <span className={`badge badge--${person.role}`}>{roleLabel[person.role]}</span>
      </div>
      {status && (
        <div className={`person__status${person.control ? ' person__status--control' : ''}`} data-testid="participant-status">
          {status}
        </div>
      )}
      {quality && <QualityLine quality={quality} />}
      {actions.length > 0 && !confirming && (
        <div className="person__actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={`button button--small ${action === 'remove' ? 'button--danger-ghost' : 'button--ghost'}`}
              data-testid={`${action}-button`}
              onClick={() => (action === 'remove' ? setConfirming(true) : void run(cobrowse, action, person))}
            >
              {otherLabel[action]}
            </button>
          ))}
        </div>
      )}
      {confirming && (
        <div className="person__actions" role="group" aria-label={`Remove ${person.name}?`}>
          <span className="person__confirm">Remove {person.name}? Their link stops working.</span>
          <button type="button" className="button button--small button--danger" data-testid="confirm-remove-button"
            onClick={() => void cobrowse.remove(person.participantId).finally(() => setConfirming(false))}>
            Remove
          </button>
          <button type="button" className="button button--small button--ghost" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </div>
      )}
    </li>
  );
}

async function run(cobrowse: CoBrowseSession, action: OtherAction, person: ParticipantInfo): Promise<void> {
  switch (action) {
    case 'grant':
    case 'deny':
    case 'revoke':
      cobrowse.control(action, person.participantId);
      return;
    case 'make-controller':
      await cobrowse.setRole(person.participantId, 'controller');
      return;
    case 'make-viewer':
      await cobrowse.setRole(person.participantId, 'viewer');
      return;
    case 'remove':
      await cobrowse.remove(person.participantId);
      return;
  }
}

/** Transport, frames per second, bandwidth and round trip of one participant's picture. */
export function QualityLine({ quality }: { quality: Quality }) {
  const level = quality.fps >= 20 && (quality.rttMs ?? 0) < 150 ? 'good' : quality.fps >= 8 ? 'fair' : 'poor';
  const transport = quality.transport === 'webrtc' ? 'WebRTC' : quality.transport === 'jpeg' ? 'JPEG' : quality.transport;
  const parts = [transport, `${Math.round(quality.fps)} fps`, formatRate(quality.kbps)];
  if (quality.rttMs !== undefined) parts.push(`${Math.round(quality.rttMs)} ms`);
  return (
    <div
      className={`quality quality--${level}`}
      data-testid="quality"
      data-transport={quality.transport}
      data-fps={Math.round(quality.fps)}
      data-rtt={quality.rttMs ?? ''}
      title="Connection: transport, frames per second, bandwidth, round trip"
    >
      <span className="quality__bars" aria-hidden="true" />
      {parts.join(' · ')}
    </div>
  );
}

function formatRate(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

function OwnerSettings({ cobrowse, state }: PanelProps) {
  return (
    <details className="owner-settings">
      <summary>Session settings</summary>
      <label className="owner-settings__row">
        Control
        <select
          data-testid="control-mode"
          value={state.control.mode}
          onChange={(e) => cobrowse.setControlMode(e.target.value === 'shared' ? 'shared' : 'exclusive')}
        >
          <option value="exclusive">One at a time</option>
          <option value="shared">Shared</option>
        </select>
      </label>
      <label className="owner-settings__row">
        Screen size
        <select
          data-testid="viewport-mode"
          value={state.viewportMode}
          onChange={(e) => cobrowse.setViewportMode(e.target.value === 'follow-owner' ? 'follow-owner' : 'fixed')}
        >
          <option value="fixed">Fixed</option>
          <option value="follow-owner">Follow my window</option>
        </select>
      </label>
      <label className="owner-settings__row">
        Idle hand-back
        <select
          data-testid="idle-timeout"
          value={String(Math.round(state.control.idleTimeoutMs / 1000))}
          onChange={(e) => void cobrowse.setIdleTimeout(Number(e.target.value))}
        >
          {[0, 30, 60, 120, 300, 600].map((s) => (
            <option key={s} value={s}>
              {s === 0 ? 'Never' : s < 60 ? `${s} s` : `${s / 60} min`}
            </option>
          ))}
          {![0, 30, 60, 120, 300, 600].includes(Math.round(state.control.idleTimeoutMs / 1000)) && (
            <option value={Math.round(state.control.idleTimeoutMs / 1000)}>{Math.round(state.control.idleTimeoutMs / 1000)} s</option>
          )}
        </select>
      </label>
    </details>
  );
}
