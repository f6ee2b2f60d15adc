import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaClock } from '../src/media/audio/MediaClock';
import { PlayoutScheduler, type Placement } from '../src/media/audio/PlayoutScheduler';

const frame = 960; // 20 ms at 48 kHz
const close = (actual: number, expected: number, message?: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${message ?? ''} ${actual} != ${expected}`);

/**
 * Frames captured every 20 ms from `start`, each ready at capture time + delay(i) (network, decoding), in order:
 * one socket, so a frame held up holds up the ones behind it.
 */
function stream(count: number, delay: (i: number) => number, start = 10): { ts: number; now: number }[] {
  let last = -Infinity;
  return Array.from({ length: count }, (_, i) => ({ ts: i * 20_000, now: (last = Math.max(last, start + i * 0.02 + delay(i))) }));
}

function play(s: PlayoutScheduler, frames: { ts: number; now: number }[]): (Placement & { lead: number } | null)[] {
  return frames.map(({ ts, now }) => {
    const p = s.place(ts, frame, now);
    return p && { ...p, lead: p.when - now };
  });
}

test('contiguous frames are scheduled back to back, sample-exact, 60 ms ahead at first', () => {
  const s = new PlayoutScheduler();
  const placed = play(s, [{ ts: 0, now: 10 }, { ts: 20_000, now: 10.021 }, { ts: 39_990, now: 10.043 }, { ts: 60_015, now: 10.0605 }]);
  close(placed[0]!.when, 10.06, 'the first frame');
  close(placed[1]!.when, 10.08);
  close(placed[2]!.when, 10.1, 'a capture timestamp 10 µs early is still contiguous');
  close(placed[3]!.when, 10.12);
  assert.ok(placed.every((p) => p && p.offset === 0));
  assert.equal(s.stats.gaps, 0);
  assert.equal(s.targetLeadMs, 60);
});

test('a timestamp gap (DTX silence) stays silence of that length: the sound after it keeps its alignment', () => {
  const s = new PlayoutScheduler();
  const placed = play(s, [{ ts: 0, now: 10 }, { ts: 20_000, now: 10.02 }, { ts: 420_000, now: 10.42 }, { ts: 440_000, now: 10.44 }]);
  close(placed[2]!.when, 10.48, 'placed 400 ms after the previous one started, not right after it');
  close(placed[3]!.when, 10.5);
  assert.equal(s.stats.gaps, 1);
  assert.equal(s.stats.anchors, 1, 'no new timeline for a silence');
});

test('late frames are skipped, the timeline keeps its slots: no delay piles up after a stall', () => {
  const s = new PlayoutScheduler();
  // A 120 ms stall: frames 5-10 arrive together at 10.22 s.
  const frames = stream(14, (i) => (i >= 5 && i <= 10 ? 0.22 - 0.02 * i : 0));
  const placed = play(s, frames);
  assert.equal(placed[5], null, 'wholly late: dropped');
  assert.equal(placed[6], null, 'wholly late even after the target grew by 20 ms');
  assert.ok(placed[7] && placed[7].offset > 0 && placed[7].offset < 0.02, 'partly late: only what is still ahead plays');
  close(placed[8]!.when, 10.06 + 8 * 0.02 + 0.02, 'in its slot (plus the 20 ms the target grew), not pushed back');
  close(placed[9]!.when, placed[8]!.when + 0.02);
  assert.equal(s.targetLeadMs, 80);
  for (const p of placed.slice(8)) assert.ok(p && p.lead <= 0.08 + 1e-9, `lead ${p?.lead}`);
  assert.ok(s.stats.late >= 2 && s.stats.anchors === 1);
});

test('frames that stay late (the delay rose for good) start a new timeline at a larger target', () => {
  const s = new PlayoutScheduler();
  const placed = play(s, stream(60, (i) => (i >= 10 ? 0.2 : 0)));
  assert.equal(s.stats.anchors, 2);
  const tail = placed.slice(30);
  assert.ok(tail.every((p) => p !== null && p.offset === 0), 'playing again, continuously');
  assert.ok(tail.every((p) => p!.lead >= 0.04 && p!.lead <= 0.15));
  for (let i = 31; i < placed.length; i++) close(placed[i]!.when - placed[i - 1]!.when, 0.02);
});

test('the lead stays within bounds: never scheduled more than 150 ms ahead, the target within 40-150 ms', () => {
  // 300 ms of frames were queued before playback began: they all arrive at once, then the rest in real time.
  const s = new PlayoutScheduler();
  const placed = play(s, stream(200, (i) => (i === 0 ? 0.3 : 0)));
  assert.ok(placed.every((p) => p === null || p.lead <= 0.15 + 1e-9), 'never beyond the maximum');
  assert.ok(placed.slice(5, 16).every((p) => p === null), 'frames are skipped until the lead is back in bounds');
  const last = placed.at(-1)!;
  assert.ok(last.lead <= 0.065, `back near the target, lead ${last.lead}`);
  assert.ok(s.stats.skippedMs >= 290);

  // Random jitter up to 120 ms with occasional stalls: the target never leaves its bounds.
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const jittery = new PlayoutScheduler();
  for (const p of play(jittery, stream(3000, () => random() * 0.12))) {
    assert.ok(jittery.targetLeadMs >= 40 && jittery.targetLeadMs <= 150);
    assert.ok(p === null || (p.lead >= 0 && p.lead <= 0.15 + 1e-9), `lead ${p?.lead}`);
  }
  assert.ok(jittery.stats.placed > 2500, `most frames play (${jittery.stats.placed})`);
});

test('spare lead is taken out of the next silence', () => {
  const s = new PlayoutScheduler();
  // The network delay fell from 50 ms to nothing after the first 10 frames: later frames are 110 ms ahead, not 60.
  const n = 101;
  const placed = play(s, stream(n, (i) => (i < 10 ? 0.05 : 0)));
  assert.ok(placed.every((p) => p && p.offset === 0), 'no sound is cut while waiting for a silence');
  close(placed.at(-1)!.lead, 0.11);
  const end = placed.at(-1)!.when + 0.02;
  // Then 400 ms of DTX silence.
  const now = 10 + n * 0.02 + 0.4;
  const after = s.place(n * 20_000 + 400_000, frame, now)!;
  close(after.when, end + 0.4 - 0.05, 'the silence is 50 ms shorter');
  close(after.when - now, 0.06, 'and the lead is back at the target');
  assert.equal(after.offset, 0);
});

test('without a silence, spare lead is cut out of the sound after a couple of seconds', () => {
  const s = new PlayoutScheduler();
  const placed = play(s, stream(300, (i) => (i < 10 ? 0.05 : 0)));
  const last = placed.at(-1)!;
  close(last.lead, 0.06, 'the lead is back at the target');
  assert.ok(placed.some((p) => p === null), 'by leaving frames out');
  assert.ok(Math.abs(s.stats.skippedMs - 50) < 0.1);
});

test('a calm stream lets a grown target shrink back, not below 40 ms', () => {
  const s = new PlayoutScheduler({ initialLeadMs: 150 });
  play(s, stream(50 * 8 * 15, () => 0.001));
  assert.equal(s.targetLeadMs, 40);
});

test('repeated or older frames are dropped; a clock jump starts a new timeline', () => {
  const s = new PlayoutScheduler();
  s.place(0, frame, 10);
  s.place(20_000, frame, 10.02);
  assert.equal(s.place(20_000, frame, 10.03), null, 'a repeat');
  assert.equal(s.place(0, frame, 10.03), null, 'older');
  const jumped = s.place(900_000_000, frame, 10.04)!;
  close(jumped.when, 10.1);
  assert.equal(s.stats.anchors, 2);
  s.reset();
  close(s.place(900_020_000, frame, 20)!.when, 20.06, 'after a reset the next frame starts over');
});

test('the media clock maps uint64 timestamps beyond 2^53 to exact small numbers', () => {
  const clock = new MediaClock();
  const base = 0xffff_ffff_ffff_0000n;
  assert.deepEqual(clock.toRelative(base), { us: 0, restarted: false });
  assert.deepEqual(clock.toRelative(base + 20_000n), { us: 20_000, restarted: false });
  assert.deepEqual(clock.toRelative(base + 40_001n), { us: 40_001, restarted: false });
  assert.deepEqual(clock.toRelative(base + 440_001n), { us: 440_001, restarted: false }, 'a silence is no jump');
  assert.deepEqual(clock.toRelative(5n), { us: 0, restarted: true }, 'a restarted clock starts over');
  assert.deepEqual(clock.toRelative(20_005n), { us: 20_000, restarted: false });
});
