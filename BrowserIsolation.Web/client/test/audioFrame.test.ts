import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryKind, parseAudioFrame } from '../src/protocol/audio';
import { parseServerEvent } from '../src/protocol/events';

/** A binary audio message as the runner sends it. */
function frame(options: { magic?: number; version?: number; samples?: number; timestamp?: bigint; payload?: number[] } = {}): ArrayBuffer {
  const payload = options.payload ?? [0x78, 0x01, 0x02, 0x03];
  const buffer = new ArrayBuffer(12 + payload.length);
  const view = new DataView(buffer);
  view.setUint8(0, options.magic ?? 0x4f);
  view.setUint8(1, options.version ?? 1);
  view.setUint16(2, options.samples ?? 960, false);
  view.setBigUint64(4, options.timestamp ?? 1_000_000n, false);
  new Uint8Array(buffer, 12).set(payload);
  return buffer;
}

test('an audio frame parses: duration, timestamp and the Opus packet', () => {
  const parsed = parseAudioFrame(frame({ samples: 960, timestamp: 123_456_789n, payload: [0xfc, 0xff, 0xfe, 0x10, 0x20] }));
  assert.ok(parsed);
  assert.equal(parsed.durationSamples, 960);
  assert.equal(parsed.timestampUs, 123_456_789n);
  assert.deepEqual([...parsed.data], [0xfc, 0xff, 0xfe, 0x10, 0x20]);
});

test('big-endian fields: the bytes on the wire, not the host order', () => {
  const bytes = new Uint8Array([0x4f, 0x01, 0x03, 0xc0, 0, 0, 0, 0, 0, 0x01, 0xe2, 0x40, 0xaa]);
  const parsed = parseAudioFrame(bytes.buffer);
  assert.equal(parsed?.durationSamples, 960);
  assert.equal(parsed?.timestampUs, 123_456n);
});

test('a timestamp beyond 2^53 keeps every microsecond', () => {
  const big = (1n << 63n) + 20_001n;
  const parsed = parseAudioFrame(frame({ timestamp: big }));
  assert.equal(parsed?.timestampUs, big);
  const next = parseAudioFrame(frame({ timestamp: big + 20_000n }));
  assert.equal(next!.timestampUs - parsed!.timestampUs, 20_000n);
  assert.equal(parseAudioFrame(frame({ timestamp: 0xffff_ffff_ffff_ffffn }))?.timestampUs, 0xffff_ffff_ffff_ffffn);
});

test('a DTX packet of a single byte is a frame', () => {
  const parsed = parseAudioFrame(frame({ payload: [0xf8] }));
  assert.equal(parsed?.data.byteLength, 1);
  assert.equal(parsed?.durationSamples, 960);
});

test('short messages, other magic bytes and other versions are ignored', () => {
  assert.equal(parseAudioFrame(new ArrayBuffer(0)), null);
  assert.equal(parseAudioFrame(frame().slice(0, 11)), null, 'shorter than the header');
  assert.equal(parseAudioFrame(frame({ payload: [] })), null, 'a header without a packet');
  assert.equal(parseAudioFrame(frame({ magic: 0xff })), null, 'a JPEG');
  assert.equal(parseAudioFrame(frame({ magic: 0x50 })), null);
  assert.equal(parseAudioFrame(frame({ version: 2 })), null);
  assert.equal(parseAudioFrame(frame({ version: 0 })), null);
  assert.equal(parseAudioFrame(frame({ samples: 0 })), null, 'no duration');
  assert.equal(parseAudioFrame(frame({ samples: 60_000 })), null, 'longer than any Opus frame');
});

test('binary messages are told apart by their first byte', () => {
  assert.equal(binaryKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]).buffer), 'jpeg');
  assert.equal(binaryKind(frame()), 'audio');
  assert.equal(binaryKind(new Uint8Array([0x00, 0x01]).buffer), 'unknown');
  assert.equal(binaryKind(new ArrayBuffer(0)), 'unknown');
});

test('sound fields of events: hello.audio, policy.allowAudio (default true), participant hearing (default false)', () => {
  const hello = (extra: string) => parseServerEvent(`{"type":"hello","sessionId":"s","width":800,"height":600${extra}}`);
  assert.equal((hello(',"audio":true') as { audio?: boolean }).audio, true);
  assert.equal((hello(',"audio":false') as { audio?: boolean }).audio, false);
  assert.equal('audio' in hello('')!, false, 'an older runner says nothing about sound');
  assert.equal('audio' in hello(',"audio":"yes"')!, false);

  const policy = (extra: string) => parseServerEvent(`{"type":"policy","allowCopyOut":true${extra}}`) as { allowAudio: boolean };
  assert.equal(policy('').allowAudio, true, 'older servers have no audio policy: sound is allowed');
  assert.equal(policy(',"allowAudio":false').allowAudio, false);
  assert.equal(policy(',"allowAudio":true').allowAudio, true);

  const snapshot = parseServerEvent(JSON.stringify({
    type: 'participants',
    participants: [{ participantId: 'a', hearing: true }, { participantId: 'b' }, { participantId: 'c', hearing: 'yes' }],
    control: { mode: 'exclusive', holder: null, controllers: [], requests: [], idleTimeoutMs: 0 },
  }));
  assert.ok(snapshot?.type === 'participants');
  assert.deepEqual(snapshot.participants.map((p) => p.hearing), [true, false, false]);
  const joined = parseServerEvent('{"type":"joined","participant":{"participantId":"d","hearing":true}}');
  assert.ok(joined?.type === 'joined');
  assert.equal(joined.participant.hearing, true);
});
