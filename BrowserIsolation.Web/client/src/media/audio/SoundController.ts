import type { ControlSocket } from '../../net/ControlSocket';
import type { ServerEvent } from '../../protocol/events';
import { Store } from '../../session/Store';
import type { StreamController } from '../StreamController';
import { AudioReporter } from './AudioReporter';
import type { AudioOutput } from './AudioOutput';
import { OpusFramePlayer } from './OpusFramePlayer';
import { clampVolume, loadSoundPrefs, saveSoundPrefs } from './soundPrefs';
import { describeSound, playbackPath, soundReasons, type SoundFacts, type SoundView } from './soundState';

/** Everything the sound UI shows, one immutable snapshot per change. */
export interface SoundState extends SoundView {
  muted: boolean;
  /** 0-100. */
  volume: number;
  /** This viewer can play the session's sound (the runner has it, and this browser and transport can carry it). */
  available: boolean;
  allowedByPolicy: boolean;
  /** The browser's autoplay rules refused playback until a user gesture. */
  blocked: boolean;
  /** Opus frames the decoder refused (fallback path). */
  decodeErrors: number;
}

export const initialSoundState: SoundState = {
  state: 'unavailable',
  reason: soundReasons.noSound,
  path: 'none',
  hearing: false,
  frames: false,
  muted: false,
  volume: 100,
  available: false,
  allowedByPolicy: true,
  blocked: false,
  decodeErrors: 0,
};

/** Volume an unmute restores when the slider was at 0. */
const unmuteVolume = 50;

/**
 * The sound of one viewer. Facts flow in (hello.audio, policy.allowAudio, the transport on screen and its WebRTC
 * track, the user's settings), the output plays the path they call for and reports what it actually does, and the
 * result flows out: the store for the UI, and the `audio` message (hearing, frames) for the server. Sound follows the
 * picture: the WebRTC track while video is live, the socket's Opus frames while JPEG is. UI-free.
 */
export class SoundController {
  readonly store: Store<SoundState>;

  private facts: SoundFacts;
  private readonly reporter: AudioReporter;
  private player: OpusFramePlayer | null = null;
  private decodeErrors = 0;
  private warnedNoWebCodecs = false;
  private readonly offs: (() => void)[] = [];
  private disposed = false;

  constructor(
    private readonly socket: ControlSocket,
    private readonly stream: StreamController,
    private readonly output: AudioOutput,
    /** Shows a notice to the user (once: a browser that cannot play the fallback's sound). */
    private readonly notify: (text: string) => void,
  ) {
    const prefs = loadSoundPrefs();
    this.facts = {
      serverAudio: false,
      allowedByPolicy: true,
      muted: prefs.muted,
      volume: prefs.volume,
      transport: stream.state.active,
      rtcAudio: stream.rtcAudio.state,
      canPlayFrames: typeof AudioDecoder !== 'undefined' && typeof AudioContext !== 'undefined',
    };
    this.store = new Store<SoundState>({ ...initialSoundState, muted: prefs.muted, volume: prefs.volume });
    this.reporter = new AudioReporter((message) => socket.send(message));
  }

  start(): void {
    this.offs.push(
      this.socket.onState.on((state) => {
        if (state === 'open') this.reporter.connected();
      }),
      this.socket.onAudioFrame.on((frame) => this.player?.push(frame)),
      this.stream.onChange.on((s) => this.patch({ transport: s.active })),
      this.stream.onRtcAudio.on((audio) => {
        this.output.setTrack(audio.track);
        this.patch({ rtcAudio: audio.state });
      }),
      this.output.onChange.on(() => this.update()),
    );
    if (this.facts.canPlayFrames) {
      void OpusFramePlayer.supported().then((ok) => {
        if (!ok) this.patch({ canPlayFrames: false });
      });
    }
    if (this.socket.state === 'open') this.reporter.connected();
    this.update();
  }

  /** The server events sound depends on; every event may pass here. */
  handle(event: ServerEvent): void {
    if (event.type === 'hello') this.patch({ serverAudio: event.audio === true });
    else if (event.type === 'policy') this.patch({ allowedByPolicy: event.allowAudio });
  }

  /** `remember`: keep it for this browser (the user's own choice; not a host page's command). */
  setMuted(muted: boolean, remember = true): void {
    const volume = !muted && this.facts.volume === 0 ? unmuteVolume : this.facts.volume;
    this.patch({ muted, volume });
    if (remember) this.save();
  }

  /** 0-100; turning the volume up also unmutes. */
  setVolume(volume: number, remember = true): void {
    const v = clampVolume(volume);
    this.patch(v > 0 ? { volume: v, muted: false } : { volume: v });
    if (remember) this.save();
  }

  /** From a user gesture: start playback the browser refused. */
  unblock(): void {
    this.output.unblock();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const off of this.offs.splice(0)) off();
    this.reporter.dispose();
    this.player?.stop();
    this.player = null;
    this.output.dispose();
    // The last snapshot stays readable (the embed report): it must not claim sound any more.
    this.store.patch({ state: 'unavailable', reason: soundReasons.closed, path: 'none', hearing: false, frames: false, blocked: false, available: false });
  }

  private patch(patch: Partial<SoundFacts>): void {
    this.facts = { ...this.facts, ...patch };
    this.update();
  }

  private save(): void {
    saveSoundPrefs({ muted: this.facts.muted, volume: this.facts.volume });
  }

  private update(): void {
    if (this.disposed) return;
    const facts = this.facts;
    this.output.setVolume(facts.volume / 100);
    this.output.setPath(playbackPath(facts));
    const status = this.output.status;
    const view = describeSound(facts, status);
    this.syncPlayer(view.path === 'frames' && status.playing);
    this.reporter.set(view.hearing, view.frames);
    if (view.reason === soundReasons.noWebCodecs && !facts.muted && !this.warnedNoWebCodecs) {
      this.warnedNoWebCodecs = true;
      this.notify(view.reason);
    }
    this.store.patch({
      ...view,
      muted: facts.muted,
      volume: facts.volume,
      available: view.state !== 'unavailable',
      allowedByPolicy: facts.allowedByPolicy,
      blocked: view.state === 'blocked',
      decodeErrors: this.decodeErrors,
    });
  }

  /** Frames play while the fallback path's context runs; each start is a new timeline (a new player). */
  private syncPlayer(wanted: boolean): void {
    if (wanted && !this.player) {
      const out = this.output.frameOutput;
      if (!out) return;
      const player = new OpusFramePlayer(out.context, out.input);
      player.onError.on(() => {
        this.decodeErrors++;
        this.update();
      });
      this.player = player;
    } else if (!wanted && this.player) {
      this.player.stop();
      this.player = null;
    }
  }
}
