import assert from 'node:assert/strict';
import { test } from 'node:test';
import { otherActions, selfActions } from '../src/cobrowse/actions';
import { kbps } from '../src/cobrowse/QualityReporter';
import { applyEvent, controlSummary, describeChange, initialCoBrowseState, mayInput, type CoBrowseState } from '../src/cobrowse/state';
import { parseServerEvent, type ParticipantInfo, type ServerEvent } from '../src/protocol/events';

const person = (participantId: string, role: ParticipantInfo['role'], extra: Partial<ParticipantInfo> = {}): ParticipantInfo => ({
  participantId, name: participantId.toUpperCase(), role, color: '#e6194b', connected: true, control: false, requested: false, hearing: false, ...extra,
});

function event(json: object): ServerEvent {
  const parsed = parseServerEvent(JSON.stringify(json));
  assert.ok(parsed, JSON.stringify(json));
  return parsed;
}

function meeting(me: string, holder: string | null, requests: string[] = [], mode: 'exclusive' | 'shared' = 'exclusive'): CoBrowseState {
  let state = applyEvent(initialCoBrowseState, event({ type: 'hello', sessionId: 's', width: 800, height: 600, participantId: me, role: 'viewer', name: me }));
  state = applyEvent(state, event({
    type: 'participants',
    participants: [person('own', 'owner'), person('ann', 'controller'), person('bob', 'controller'), person('val', 'viewer')]
      .map((p) => ({ ...p, control: p.participantId === holder, requested: requests.includes(p.participantId) })),
    control: { mode, holder, controllers: holder ? [holder] : [], requests, idleTimeoutMs: 120000 },
  }));
  return state;
}

test('a participants snapshot tells me my role and who holds control', () => {
  const state = meeting('ann', 'own');
  assert.equal(state.me?.role, 'controller');
  assert.equal(state.participants.length, 4);
  assert.equal(controlSummary(state), 'OWN has control');
  assert.equal(mayInput(state), false);
  assert.equal(mayInput(meeting('ann', null)), true, 'free control: the first to act takes it');
  assert.equal(mayInput(meeting('ann', 'ann')), true);
  assert.equal(mayInput(meeting('val', null)), false, 'viewers never');
  assert.equal(mayInput(meeting('bob', 'ann', [], 'shared')), true);
});

test('control events update holders and requests on every row', () => {
  let state = meeting('own', 'own');
  state = applyEvent(state, event({ type: 'control', mode: 'exclusive', holder: 'ann', controllers: ['ann'], requests: ['bob'], idleTimeoutMs: 0,
    change: { action: 'granted', participantId: 'ann', by: 'own', previous: 'own' } }));
  assert.deepEqual(state.participants.filter((p) => p.control).map((p) => p.participantId), ['ann']);
  assert.deepEqual(state.participants.filter((p) => p.requested).map((p) => p.participantId), ['bob']);
  assert.equal(describeChange(state, 'granted', 'ann', 'own', 'own'), 'ANN now has control.');
  assert.equal(describeChange(meeting('ann', 'ann'), 'granted', 'ann', 'own', null), 'OWN gave you control.');
  assert.equal(describeChange(meeting('ann', 'own'), 'taken', 'own', 'own', 'ann'), 'OWN took control back.');
});

test('joins and leaves change the list; leaving drops the quality report too', () => {
  let state = meeting('own', null);
  state = applyEvent(state, event({ type: 'joined', participant: person('zoe', 'viewer') }));
  assert.equal(state.participants.length, 5);
  assert.equal(applyEvent(state, event({ type: 'joined', participant: person('zoe', 'viewer') })), state, 'a repeated join changes nothing');
  state = applyEvent(state, event({ type: 'quality', participants: [{ participantId: 'zoe', transport: 'webrtc', fps: 30, kbps: 2500, rttMs: 20 }] }));
  assert.equal(state.quality.zoe.fps, 30);
  state = applyEvent(state, event({ type: 'left', participantId: 'zoe', name: 'ZOE', reason: 'left' }));
  assert.equal(state.participants.length, 4);
  assert.equal(state.quality.zoe, undefined);
});

test('tabs, navigation, policy, viewport mode and file choosers are kept', () => {
  let state = applyEvent(initialCoBrowseState, event({ type: 'tabs', tabs: [{ tabId: 't1', url: 'https://a/', title: 'A', active: true }, { tabId: 't2', url: 'about:blank', title: '', active: false }] }));
  state = applyEvent(state, event({ type: 'navigation', tabId: 't1', url: 'https://b/', title: 'B', canGoBack: true, canGoForward: false }));
  assert.equal(state.tabs[0].title, 'B');
  assert.equal(state.canGoBack, true);
  state = applyEvent(state, event({ type: 'policy', allowCopyOut: false, allowPasteIn: false, allowUploads: true, allowDownloads: false, newTabUrl: 'about:blank' }));
  assert.equal(state.policy.allowPasteIn, false);
  state = applyEvent(state, event({ type: 'viewport', width: 1000, height: 700, mode: 'follow-owner' }));
  assert.equal(state.viewportMode, 'follow-owner');
  state = applyEvent(state, event({ type: 'file-chooser', id: 'ab12', tabId: 't1', mode: 'multiple', accept: 'image/*' }));
  assert.deepEqual(state.chooser, { id: 'ab12', multiple: true, accept: 'image/*' });
  assert.equal(applyEvent(state, event({ type: 'file-chooser-closed', id: 'other' })).chooser?.id, 'ab12');
  assert.equal(applyEvent(state, event({ type: 'file-chooser-closed', id: 'ab12' })).chooser, null);
});

test('my own control buttons follow my role and the control state', () => {
  assert.deepEqual(selfActions(meeting('ann', 'own')), ['request']);
  assert.deepEqual(selfActions(meeting('ann', 'own', ['ann'])), ['cancel']);
  assert.deepEqual(selfActions(meeting('ann', 'ann')), ['release']);
  assert.deepEqual(selfActions(meeting('own', 'ann')), ['take']);
  assert.deepEqual(selfActions(meeting('own', null)), ['take']);
  assert.deepEqual(selfActions(meeting('val', 'own')), []);
  assert.deepEqual(selfActions(meeting('ann', null, [], 'shared')), []);
});

test('the buttons on other people: holders hand over, owners also manage', () => {
  const byId = (state: CoBrowseState, id: string) => state.participants.find((p) => p.participantId === id)!;
  const owner = meeting('own', 'ann', ['bob']);
  assert.deepEqual(otherActions(owner, byId(owner, 'ann')), ['revoke', 'make-viewer', 'remove']);
  assert.deepEqual(otherActions(owner, byId(owner, 'bob')), ['grant', 'deny', 'make-viewer', 'remove']);
  assert.deepEqual(otherActions(owner, byId(owner, 'val')), ['make-controller', 'remove']);
  const holder = meeting('ann', 'ann', ['bob']);
  assert.deepEqual(otherActions(holder, byId(holder, 'bob')), ['grant', 'deny']);
  assert.deepEqual(otherActions(holder, byId(holder, 'own')), ['grant']);
  const guest = meeting('bob', 'ann');
  assert.deepEqual(otherActions(guest, byId(guest, 'ann')), []);
  assert.deepEqual(otherActions(owner, byId(owner, 'own')), [], 'nothing on my own row');
});

test('co-browsing events parse, and malformed ones are dropped', () => {
  assert.deepEqual(parseServerEvent('{"type":"cursor","participantId":"a","x":10,"y":20}'), { type: 'cursor', participantId: 'a', x: 10, y: 20, hidden: false });
  assert.deepEqual(parseServerEvent('{"type":"cursor","participantId":"a","hidden":true}'), { type: 'cursor', participantId: 'a', x: 0, y: 0, hidden: true });
  assert.deepEqual(parseServerEvent('{"type":"click","participantId":"a","x":1,"y":2,"button":"left"}'), { type: 'click', participantId: 'a', x: 1, y: 2, button: 'left' });
  assert.equal(parseServerEvent('{"type":"removed"}')?.type, 'removed');
  assert.deepEqual(parseServerEvent('{"type":"clipboard","text":"hi","truncated":false}'), { type: 'clipboard', text: 'hi', truncated: false });
  for (const bad of ['{"type":"cursor","participantId":"a","x":"1","y":2}', '{"type":"joined","participant":{}}', '{"type":"participants","participants":[]}',
    '{"type":"control","mode":"shared"}', '{"type":"left"}', '{"type":"clipboard"}']) {
    assert.equal(parseServerEvent(bad), null, bad);
  }
  const snapshot = parseServerEvent('{"type":"participants","participants":[{"participantId":"p","role":"boss","color":"red"}],"control":{"mode":"weird"}}');
  assert.ok(snapshot && snapshot.type === 'participants');
  assert.equal(snapshot.participants[0].role, 'viewer', 'an unknown role is the weakest');
  assert.equal(snapshot.participants[0].color, '#888888', 'only #rrggbb colours reach the style attribute');
  assert.equal(snapshot.control.mode, 'exclusive');
});

test('kbit/s from bytes over time', () => {
  assert.equal(kbps(250_000, 2000), 1000);
  assert.equal(kbps(100, 0), 0);
});
