// Sound on the session WebSocket (docs/protocol.md, "Sound"): the binary Opus frames of the fallback, and the
// client's `audio` message that says whether this viewer hears and wants those frames.

/** First byte of a binary message that carries one JPEG (JPEG's own SOI marker starts with it). */
export const jpegMagic = 0xff;
/** First byte of a binary message that carries one Opus frame ('O'). */
export const audioFrameMagic = 0x4f;
export const audioFrameVersion = 1;
/** magic, version, duration (uint16), timestamp (uint64). */
export const audioFrameHeaderBytes = 12;
/** Opus frames are 2.5 to 120 ms long: at most 5760 samples at 48 kHz. */
const maxFrameSamples = 5760;

export interface AudioFrame {
  /** The frame's length in 48 kHz samples (960 = 20 ms). */
  durationSamples: number;
  /** Capture time in microseconds on the runner's media clock: monotonic, arbitrary origin, full uint64 range. */
  timestampUs: bigint;
  /** One Opus packet (1-3 bytes during DTX silence). A view into the message, not a copy. */
  data: Uint8Array;
}

export type BinaryKind = 'jpeg' | 'audio' | 'unknown';

/** What a binary message carries, from its first byte; anything unknown is ignored by the caller. */
export function binaryKind(message: ArrayBuffer): BinaryKind {
  if (message.byteLength === 0) return 'unknown';
  const first = new Uint8Array(message, 0, 1)[0];
  return first === jpegMagic ? 'jpeg' : first === audioFrameMagic ? 'audio' : 'unknown';
}

/**
 * Parses one binary audio message: 0x4F, version 1, the duration in samples (big-endian uint16), the capture
 * timestamp in µs (big-endian uint64), then the Opus packet. Null for anything else (short, other magic, other
 * version, empty packet, impossible duration), so a newer server never breaks this client.
 */
export function parseAudioFrame(message: ArrayBuffer): AudioFrame | null {
  if (message.byteLength <= audioFrameHeaderBytes) return null;
  const view = new DataView(message);
  if (view.getUint8(0) !== audioFrameMagic || view.getUint8(1) !== audioFrameVersion) return null;
  const durationSamples = view.getUint16(2, false);
  if (durationSamples === 0 || durationSamples > maxFrameSamples) return null;
  return { durationSamples, timestampUs: view.getBigUint64(4, false), data: new Uint8Array(message, audioFrameHeaderBytes) };
}

/**
 * Client -> server. `hearing`: this viewer's sound is on and actually playing. `frames`: send Opus frames on this
 * WebSocket (only while the JPEG fallback is the live transport and `hearing`). A new connection starts at false/false.
 */
export interface AudioMessage {
  type: 'audio';
  hearing: boolean;
  frames: boolean;
}
