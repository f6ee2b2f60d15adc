import { Emitter } from '../../net/Emitter';
import type { OutputStatus, PlaybackPath } from './soundState';

/** Events that give a page user activation (HTML), on which a refused output tries again. */
const activationEvents = ['pointerdown', 'pointerup', 'keydown', 'touchend'] as const;
/** A context still suspended this long after it was asked to resume was refused by the autoplay rules. */
const blockGraceMs = 300;
/** The context is suspended after this long off the fallback path (a running context costs CPU). */
const idleSuspendMs = 2000;
/** Time constant of gain changes, so volume changes and muting do not click. */
const rampS = 0.015;

declare global {
  interface Window {
    webkitAudioContext?: typeof AudioContext;
  }
}

/**
 * The sound output of one viewer, for the path it is given:
 * - `webrtc`: the remote audio track plays in the page's `<audio data-testid="remote-audio">` element (srcObject = a
 *   MediaStream of that track), at the user's volume;
 * - `frames`: decoded Opus frames of the fallback play through one AudioContext (48 kHz): buffer sources ->
 *   `frameOutput.input` (a GainNode at the user's volume) -> `context.destination`;
 * - `none`: nothing plays (the element is paused, the gain is 0, the context is suspended a little later).
 * It reports whether the path actually plays, or was refused by the browser's autoplay rules (`blocked`), and tries
 * again on the next user gesture anywhere in the page (outside the sound controls, which decide for themselves).
 */
export class AudioOutput {
  /** The status changed on its own (playback started, was refused, the context changed state). */
  readonly onChange = new Emitter<void>();

  private path: PlaybackPath = 'none';
  private volume = 1;
  private track: MediaStreamTrack | null = null;
  private elementPlaying = false;
  private elementRefused = false;
  private context: AudioContext | null = null;
  private gain: GainNode | null = null;
  private resumeAskedAt: number | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly element: HTMLAudioElement) {
    element.addEventListener('playing', this.onPlaying);
    element.addEventListener('pause', this.onStopped);
    element.addEventListener('emptied', this.onStopped);
    for (const type of activationEvents) window.addEventListener(type, this.onActivation, { capture: true, passive: true });
  }

  get status(): OutputStatus {
    switch (this.path) {
      case 'webrtc':
        return { playing: this.elementPlaying && !this.element.paused, blocked: this.elementRefused && this.element.paused };
      case 'frames': {
        const running = this.context?.state === 'running';
        const waited = this.resumeAskedAt !== null && performance.now() - this.resumeAskedAt >= blockGraceMs;
        // Not running and no resume pending (no context could be made, or it stopped) is blocked too: a click tries again.
        return { playing: running, blocked: !running && (this.context === null || this.resumeAskedAt === null || waited) };
      }
      default:
        return { playing: false, blocked: false };
    }
  }

  /** Where the fallback's decoded frames go; null until the frames path created the context (or without Web Audio). */
  get frameOutput(): { context: AudioContext; input: AudioNode } | null {
    return this.context && this.gain ? { context: this.context, input: this.gain } : null;
  }

  setPath(path: PlaybackPath): void {
    if (this.disposed || path === this.path) return;
    this.path = path;
    this.apply();
  }

  /** 0-1. */
  setVolume(volume: number): void {
    const v = Math.min(1, Math.max(0, volume));
    if (this.disposed || v === this.volume) return;
    this.volume = v;
    this.applyVolume();
  }

  /** The remote audio track of the current WebRTC attempt (null: none). */
  setTrack(track: MediaStreamTrack | null): void {
    if (this.disposed || track === this.track) return;
    this.track = track;
    this.elementPlaying = this.elementRefused = false;
    this.element.srcObject = track ? new MediaStream([track]) : null;
    this.apply();
  }

  /** From a user gesture (the "Click for sound" button, any press in the page): start what the path needs. */
  unblock(): void {
    if (this.disposed) return;
    if (this.path === 'webrtc' && this.track && this.element.paused) this.playElement();
    if (this.path === 'frames') {
      this.ensureContext();
      this.resumeContext();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.graceTimer);
    clearTimeout(this.idleTimer);
    this.element.removeEventListener('playing', this.onPlaying);
    this.element.removeEventListener('pause', this.onStopped);
    this.element.removeEventListener('emptied', this.onStopped);
    for (const type of activationEvents) window.removeEventListener(type, this.onActivation, { capture: true });
    this.element.pause();
    this.element.srcObject = null;
    if (this.context) {
      this.context.onstatechange = null;
      void this.context.close().catch(() => undefined);
    }
    this.context = this.gain = null;
    this.onChange.clear();
  }

  private apply(): void {
    const element = this.element;
    if (this.path === 'webrtc' && this.track) {
      element.muted = false;
      if (element.paused) this.playElement();
    } else if (!element.paused) {
      element.pause();
    }
    clearTimeout(this.idleTimer);
    if (this.path === 'frames') {
      this.ensureContext();
      this.resumeContext();
    } else if (this.context?.state === 'running') {
      const context = this.context;
      this.idleTimer = setTimeout(() => void context.suspend().catch(() => undefined), idleSuspendMs);
    }
    this.applyVolume();
  }

  private applyVolume(): void {
    this.element.volume = this.volume;
    if (this.context && this.gain) this.gain.gain.setTargetAtTime(this.path === 'frames' ? this.volume : 0, this.context.currentTime, rampS);
  }

  private playElement(): void {
    const element = this.element;
    element.play().then(
      () => {
        if (this.disposed || element.paused) return;
        this.elementPlaying = true;
        this.elementRefused = false;
        this.emit();
      },
      (error: unknown) => {
        // NotAllowedError: autoplay refused until a user gesture. AbortError: the source changed or pause() came first.
        if (this.disposed || !(error instanceof DOMException) || error.name !== 'NotAllowedError') return;
        this.elementRefused = true;
        this.emit();
      },
    );
  }

  private ensureContext(): void {
    if (this.context || this.disposed) return;
    const Context = window.AudioContext ?? window.webkitAudioContext;
    if (!Context) return;
    let context: AudioContext;
    try {
      context = new Context({ sampleRate: 48_000, latencyHint: 'interactive' });
    } catch {
      try {
        context = new Context({ latencyHint: 'interactive' }); // the buffer sources resample
      } catch {
        return;
      }
    }
    const gain = context.createGain();
    gain.gain.value = 0;
    gain.connect(context.destination);
    context.onstatechange = () => {
      if (context.state === 'running') this.resumeAskedAt = null;
      // Interrupted or suspended behind our back (another app took the device): ask again.
      else if (this.path === 'frames' && context.state !== 'closed') this.resumeContext();
      this.emit();
    };
    this.context = context;
    this.gain = gain;
  }

  private resumeContext(): void {
    const context = this.context;
    if (!context || context.state === 'running' || context.state === 'closed') return;
    this.resumeAskedAt ??= performance.now();
    context.resume().catch(() => undefined);
    // Still suspended after the grace time: refused (`blocked`); the status says so from then on.
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(() => this.emit(), blockGraceMs + 20);
  }

  private readonly onPlaying = () => {
    this.elementPlaying = true;
    this.elementRefused = false;
    this.emit();
  };

  private readonly onStopped = () => {
    this.elementPlaying = false;
    this.emit();
  };

  private readonly onActivation = (event: Event) => {
    if (this.path === 'none' || (event.target instanceof Element && event.target.closest('[data-sound-control]'))) return;
    if (this.status.playing) return;
    this.unblock();
  };

  private emit(): void {
    if (!this.disposed) this.onChange.emit();
  }
}
