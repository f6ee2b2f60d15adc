import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AudioReporter, type ReporterTimers } from '../src/media/audio/AudioReporter';
import { loadSoundPrefs, saveSoundPrefs } from '../src/media/audio/soundPrefs';
import { describeSound, playbackPath, soundReasons, type SoundFacts } from '../src/media/audio/soundState';
import type { AudioMessage } from '../src/protocol/audio';
import { parseEmbedAudioCommand } from '../src/ui/useEmbedCommands';
import { audioReport } from '../src/ui/useEmbedReporting';

const facts = (extra: Partial<SoundFacts> = {}): SoundFacts => ({
  serverAudio: true, allowedByPolicy: true, muted: false, volume: 80, transport: 'jpeg', rtcAudio: 'pending', canPlayFrames: true, ...extra,
});
const playing = { playing: true, blocked: false };
const starting = { playing: false, blocked: false };
const refused = { playing: false, blocked: true };

test('sound follows the transport on screen: frames on the fallback, the track on WebRTC', () => {
  assert.deepEqual(describeSound(facts(), playing), { state: 'on', reason: null, path: 'frames', hearing: true, frames: true });
  assert.deepEqual(describeSound(facts({ transport: 'webrtc', rtcAudio: 'track' }), playing),
    { state: 'on', reason: null, path: 'webrtc', hearing: true, frames: false });
  assert.deepEqual(describeSound(facts(), starting), { state: 'on', reason: null, path: 'frames', hearing: false, frames: false },
    'not hearing (and no frames) until the output actually plays');
});

test('muted, silent, blocked, refused by policy or without sound: not hearing, no frames, and the reason', () => {
  const view = (f: Partial<SoundFacts>, output = playing) => describeSound(facts(f), output);
  assert.equal(view({ muted: true }).state, 'muted');
  assert.equal(view({ volume: 0 }).state, 'muted', 'volume 0 hears nothing either');
  assert.equal(playbackPath(facts({ muted: true })), 'none');
  assert.deepEqual(view({}, refused), { state: 'blocked', reason: soundReasons.blocked, path: 'frames', hearing: false, frames: false });
  assert.equal(view({ muted: true }, refused).state, 'muted', 'a muted viewer is not blocked');
  assert.deepEqual(view({ allowedByPolicy: false }), { state: 'policy-off', reason: soundReasons.policy, path: 'none', hearing: false, frames: false });
  assert.equal(view({ serverAudio: false }).state, 'unavailable');
  assert.equal(view({ serverAudio: false }).reason, soundReasons.noSound);
  assert.deepEqual(view({ canPlayFrames: false }), { state: 'unavailable', reason: soundReasons.noWebCodecs, path: 'none', hearing: false, frames: false });
  assert.equal(view({ canPlayFrames: false, transport: 'webrtc', rtcAudio: 'track' }).state, 'on', 'WebCodecs only matters on the fallback');
  assert.equal(view({ transport: 'webrtc', rtcAudio: 'none' }).reason, soundReasons.rtcWithoutSound);
  for (const f of [{ muted: true }, { allowedByPolicy: false }, { serverAudio: false }, { canPlayFrames: false }]) {
    const v = view(f);
    assert.equal(v.hearing || v.frames, false, JSON.stringify(f));
  }
});

/** Manual clock and timers for the reporter. */
function fakeTimers() {
  let now = 0;
  let pending: { at: number; run: () => void; id: number } | null = null;
  let ids = 0;
  const timers: ReporterTimers = {
    now: () => now,
    setTimeout: (run, ms) => {
      pending = { at: now + ms, run, id: ++ids };
      return pending.id;
    },
    clearTimeout: (id) => {
      if (pending?.id === id) pending = null;
    },
  };
  const advance = (ms: number) => {
    now += ms;
    const due = pending;
    if (due && due.at <= now) {
      pending = null;
      due.run();
    }
  };
  return { timers, advance, scheduled: () => pending !== null };
}

function reporter(open = true) {
  const sent: AudioMessage[] = [];
  const clock = fakeTimers();
  const state = { open };
  const r = new AudioReporter((m) => state.open && sent.push(m) > 0, 250, clock.timers);
  return { r, sent, clock, state };
}

test('the audio message goes out on every change of hearing or frames, and not otherwise', () => {
  const { r, sent, clock } = reporter();
  r.connected();
  assert.deepEqual(sent, [{ type: 'audio', hearing: false, frames: false }], 'a new connection is told at once');
  clock.advance(1000);
  r.set(true, false);
  r.set(true, false);
  clock.advance(1000);
  r.set(true, true);
  clock.advance(1000);
  r.set(true, true);
  assert.deepEqual(sent.slice(1), [{ type: 'audio', hearing: true, frames: false }, { type: 'audio', hearing: true, frames: true }]);
});

test('changes in quick succession are coalesced into one message with the latest values', () => {
  const { r, sent, clock } = reporter();
  r.connected();
  r.set(true, true); // within 250 ms of the last message: waits
  r.set(false, false);
  r.set(true, false);
  assert.equal(sent.length, 1);
  clock.advance(250);
  assert.deepEqual(sent.at(-1), { type: 'audio', hearing: true, frames: false });
  assert.equal(sent.length, 2);
  // A flip and back within the interval sends nothing.
  r.set(false, false);
  r.set(true, false);
  clock.advance(250);
  assert.equal(sent.length, 2);
  assert.equal(clock.scheduled(), false);
  // At most one message per interval, however many changes.
  for (let i = 0; i < 40; i++) {
    r.set(i % 2 === 0, false);
    clock.advance(25);
  }
  clock.advance(250);
  assert.ok(sent.length - 2 <= 5, `${sent.length - 2} messages for 1 s of changes`);
  assert.deepEqual(sent.at(-1), { type: 'audio', hearing: false, frames: false });
});

test('every reconnect repeats the current values, even unchanged ones', () => {
  const { r, sent, clock, state } = reporter(false);
  r.set(true, true); // the socket is not open yet
  assert.equal(sent.length, 0);
  state.open = true;
  r.connected();
  assert.deepEqual(sent, [{ type: 'audio', hearing: true, frames: true }]);
  state.open = false; // dropped
  r.set(true, false);
  clock.advance(1000);
  assert.equal(sent.length, 1);
  state.open = true;
  r.connected();
  clock.advance(10);
  r.connected(); // and again right away: the new connection is told regardless of the interval
  assert.deepEqual(sent.slice(1), [{ type: 'audio', hearing: true, frames: false }, { type: 'audio', hearing: true, frames: false }]);
});

test('sound settings are remembered, and bad stored values fall back to the defaults', () => {
  const stored = new Map<string, string>();
  const storage = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
  assert.deepEqual(loadSoundPrefs(storage), { muted: false, volume: 100 });
  saveSoundPrefs({ muted: true, volume: 42.4 }, storage);
  assert.deepEqual(loadSoundPrefs(storage), { muted: true, volume: 42 });
  stored.set('bi.sound', '{"muted":"yes","volume":900}');
  assert.deepEqual(loadSoundPrefs(storage), { muted: false, volume: 100 });
  stored.set('bi.sound', 'not json');
  assert.deepEqual(loadSoundPrefs(storage), { muted: false, volume: 100 });
  assert.deepEqual(loadSoundPrefs(undefined), { muted: false, volume: 100 });
});

test('embed: the host page\'s audio command, and the audio part of the state report', () => {
  assert.deepEqual(parseEmbedAudioCommand({ target: 'browserisolation', type: 'audio', muted: true }), { muted: true });
  assert.deepEqual(parseEmbedAudioCommand({ type: 'bi:audio', volume: 0.25 }), { volume: 0.25 });
  assert.deepEqual(parseEmbedAudioCommand({ type: 'bi:audio', volume: 7, muted: 'no' }), { volume: 1 }, 'clamped; wrong types ignored');
  for (const other of [null, 'bi:audio', { type: 'audio' }, { target: 'elsewhere', type: 'audio' }, { source: 'browserisolation', type: 'state' }]) {
    assert.equal(parseEmbedAudioCommand(other), null, JSON.stringify(other));
  }
  assert.deepEqual(audioReport({ state: 'blocked', muted: false, volume: 40, hearing: false, blocked: true, available: true, allowedByPolicy: true }),
    { state: 'blocked', muted: false, volume: 0.4, hearing: false, blocked: true, available: true, allowedByPolicy: true });
});
