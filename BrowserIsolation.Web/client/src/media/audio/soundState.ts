import type { TransportKind } from '../MediaTransport';
import type { RtcAudio } from '../StreamController';

/** What the sound button shows (`data-state`). */
export type SoundDisplay = 'unavailable' | 'policy-off' | 'blocked' | 'muted' | 'on';

/** Where sound is played from: the WebRTC track in the <audio> element, the fallback's Opus frames, or nowhere. */
export type PlaybackPath = 'none' | 'webrtc' | 'frames';

/** Everything the sound of one viewer depends on, from the server, the user and the transports. */
export interface SoundFacts {
  /** `hello.audio`: the runner captures sound. */
  serverAudio: boolean;
  /** `policy.allowAudio`. */
  allowedByPolicy: boolean;
  muted: boolean;
  /** 0-100. */
  volume: number;
  /** The transport whose picture is on screen; sound follows it. */
  transport: TransportKind;
  rtcAudio: RtcAudio;
  /** This browser can decode and play the fallback's Opus frames (WebCodecs AudioDecoder with Opus, Web Audio). */
  canPlayFrames: boolean;
}

/** What the output reports for the path it was given: sound is actually playing, or autoplay refused it. */
export interface OutputStatus {
  playing: boolean;
  blocked: boolean;
}

export interface SoundView {
  state: SoundDisplay;
  /** Why there is no sound (unavailable, policy, blocked), as a sentence for the UI. */
  reason: string | null;
  path: PlaybackPath;
  /** This viewer hears the session: wanted, allowed, available and playing. */
  hearing: boolean;
  /** Ask the server for Opus frames on the WebSocket. */
  frames: boolean;
}

export const soundReasons = {
  noSound: 'This session has no sound.',
  policy: "Sound is off by this session's policy.",
  noWebCodecs: 'Sound needs a browser with WebCodecs on the fallback.',
  rtcWithoutSound: 'The WebRTC connection carries no sound.',
  blocked: 'The browser blocked autoplay: click for sound.',
  closed: 'The viewer is closed.',
} as const;

/** Why sound cannot play at all (null when it could). */
function unavailableReason(f: SoundFacts): string | null {
  if (!f.serverAudio) return soundReasons.noSound;
  if (!f.allowedByPolicy) return soundReasons.policy;
  if (f.transport === 'jpeg' && !f.canPlayFrames) return soundReasons.noWebCodecs;
  if (f.transport === 'webrtc' && f.rtcAudio === 'none') return soundReasons.rtcWithoutSound;
  return null;
}

/** Where sound should play from now: the live transport's, while the user wants sound and it can play. Pure. */
export function playbackPath(f: SoundFacts): PlaybackPath {
  if (unavailableReason(f) || f.muted || f.volume <= 0) return 'none';
  return f.transport === 'webrtc' ? 'webrtc' : 'frames';
}

/** The state shown, and the `hearing` and `frames` the server is told, given what the output reports. Pure. */
export function describeSound(f: SoundFacts, output: OutputStatus): SoundView {
  const path = playbackPath(f);
  const reason = unavailableReason(f);
  if (reason) return { state: !f.serverAudio || f.allowedByPolicy ? 'unavailable' : 'policy-off', reason, path, hearing: false, frames: false };
  if (path === 'none') return { state: 'muted', reason: null, path, hearing: false, frames: false };
  if (output.blocked) return { state: 'blocked', reason: soundReasons.blocked, path, hearing: false, frames: false };
  const hearing = output.playing;
  return { state: 'on', reason: null, path, hearing, frames: hearing && path === 'frames' };
}
