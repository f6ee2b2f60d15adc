import type { TransportMode } from '../config';
import { Emitter } from '../net/Emitter';
import { FpsMeter } from './FpsMeter';
import type { JpegTransport } from './JpegTransport';
import type { MediaTransport, TransportKind } from './MediaTransport';

/** Where the WebRTC attempt stands, independent of what is shown. */
export type RtcState = 'off' | 'connecting' | 'live' | 'failed';

/** Sound on the WebRTC attempt: not answered yet, a track, or answered without sound (audio m-line rejected). */
export type RtcAudio = 'pending' | 'track' | 'none';

export interface RtcAudioState {
  state: RtcAudio;
  track: MediaStreamTrack | null;
}

export interface StreamState {
  /** The transport whose picture is on screen. */
  active: TransportKind;
  rtc: RtcState;
  /** Why WebRTC is not live (timeout, failure), for the status bar. */
  note?: string;
  fps: number;
  /** At least one frame has been shown (by either transport). */
  pictureShown: boolean;
}

export interface StreamControllerOptions {
  mode: TransportMode;
  rtcTimeoutMs: number;
  jpeg: JpegTransport;
  /** Makes a fresh WebRTC transport for each attempt. */
  createWebRtc: () => MediaTransport;
  /** JPEG frames as they arrive on the socket: proof that the page changed (stall detection). */
  socketFrames: Emitter<ArrayBuffer>;
  /** Live WebRTC counts as stalled when the page changed and no video frame followed within this time. */
  stallMs?: number;
}

/**
 * Chooses the picture source. In `auto`, JPEG frames show at once while WebRTC connects;
 * video takes over when it is live, and JPEG comes back if WebRTC does not connect within
 * `rtcTimeoutMs` or fails later. The input socket is not affected either way.
 */
export class StreamController {
  readonly onChange = new Emitter<StreamState>();
  /** The current WebRTC attempt's sound changed (see `rtcAudio`). */
  readonly onRtcAudio = new Emitter<RtcAudioState>();

  private stateValue: StreamState;
  private rtc: MediaTransport | null = null;
  private rtcTimer: ReturnType<typeof setTimeout> | undefined;
  private fpsTimer: ReturnType<typeof setInterval> | undefined;
  private readonly fps = new FpsMeter();
  private readonly unsubscribers: (() => void)[] = [];
  private disposed = false;
  private lastVideoFrameAt = 0;
  private stallTimer: ReturnType<typeof setTimeout> | undefined;
  private hiddenSince = 0;
  private rtcAudioValue: RtcAudioState = { state: 'pending', track: null };

  constructor(private readonly options: StreamControllerOptions) {
    this.stateValue = { active: options.mode === 'webrtc' ? 'webrtc' : 'jpeg', rtc: 'off', fps: 0, pictureShown: false };
  }

  get state(): StreamState {
    return this.stateValue;
  }

  /** The element input coordinates are mapped against. */
  get activeElement(): HTMLCanvasElement | HTMLVideoElement {
    return this.stateValue.active === 'webrtc' && this.rtc ? this.rtc.element : this.options.jpeg.element;
  }

  /** The live WebRTC transport's receive stats, or null while JPEG shows the picture. */
  async videoStats(): Promise<{ bytesReceived: number; rttMs?: number } | null> {
    const rtc = this.rtc;
    return this.stateValue.active === 'webrtc' && rtc && 'stats' in rtc ? (rtc as { stats(): Promise<{ bytesReceived: number; rttMs?: number } | null> }).stats() : null;
  }

  /** The sound of the current WebRTC attempt (whether or not its picture is shown yet). */
  get rtcAudio(): RtcAudioState {
    return this.rtcAudioValue;
  }

  get canRetryWebRtc(): boolean {
    return this.options.mode !== 'jpeg' && (this.stateValue.rtc === 'failed' || this.stateValue.rtc === 'off');
  }

  start(): void {
    const { jpeg, mode } = this.options;
    this.unsubscribers.push(jpeg.onFrameShown.on(() => this.frameShown('jpeg')));
    this.unsubscribers.push(this.options.socketFrames.on(() => this.checkStall()));
    document.addEventListener('visibilitychange', this.onVisibility);
    this.fpsTimer = setInterval(() => this.update({ fps: this.fps.fps }), 1000);
    if (mode !== 'webrtc') jpeg.connect();
    if (mode !== 'jpeg') this.tryWebRtc();
  }

  /** Starts a WebRTC attempt (also the "Retry WebRTC" button). */
  tryWebRtc(): void {
    if (this.disposed || this.options.mode === 'jpeg') return;
    this.dropRtc();
    const rtc = this.options.createWebRtc();
    this.rtc = rtc;
    const offStatus = rtc.onStatus.on((status) => {
      if (this.rtc !== rtc) return;
      if (status.state === 'live') this.rtcLive();
      else if (status.state === 'failed') this.rtcFailed(status.detail ?? 'WebRTC failed.');
    });
    const offFrame = rtc.onFrameShown.on(() => this.frameShown('webrtc'));
    const offAudio = rtc.onAudioTrack?.on((track) => {
      if (this.rtc === rtc) this.setRtcAudio(track ? { state: 'track', track } : { state: 'none', track: null });
    });
    this.rtcCleanup = () => {
      offStatus();
      offFrame();
      offAudio?.();
    };
    this.update({ rtc: 'connecting', note: undefined });
    const seconds = (this.options.rtcTimeoutMs / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 });
    this.rtcTimer = setTimeout(() => this.rtcFailed(`WebRTC did not connect within ${seconds} s.`), this.options.rtcTimeoutMs);
    rtc.connect();
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.fpsTimer);
    this.dropRtc();
    this.options.jpeg.close();
    document.removeEventListener('visibilitychange', this.onVisibility);
    for (const off of this.unsubscribers.splice(0)) off();
    this.onChange.clear();
    this.onRtcAudio.clear();
  }

  private rtcCleanup: (() => void) | null = null;

  private rtcLive(): void {
    clearTimeout(this.rtcTimer);
    // Video is on screen now: stop decoding JPEG (the socket keeps the latest frame for a fallback).
    this.options.jpeg.close();
    this.fps.reset();
    this.update({ active: 'webrtc', rtc: 'live', note: undefined });
  }

  private rtcFailed(reason: string): void {
    this.dropRtc();
    const fallback = this.options.mode === 'auto';
    if (fallback) this.options.jpeg.connect();
    if (this.stateValue.active !== 'jpeg' && fallback) this.fps.reset();
    this.update({
      active: fallback ? 'jpeg' : 'webrtc',
      rtc: 'failed',
      note: fallback ? `${reason} Showing WebSocket JPEG.` : reason,
    });
  }

  /**
   * ICE needs several seconds to notice a dead peer. Faster: the socket still gets a JPEG whenever
   * the page changes, so if live video shows no new frame soon after one, WebRTC has stalled.
   * Hidden tabs present no video frames, so they are left out.
   */
  private checkStall(): void {
    if (this.stateValue.rtc !== 'live' || this.stallTimer !== undefined || document.hidden) return;
    const changedAt = performance.now();
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      const wasHidden = document.hidden || this.hiddenSince >= changedAt;
      // Video may show a change before its JPEG arrives: a frame shortly before counts too.
      const videoSawIt = this.lastVideoFrameAt >= changedAt - 1000;
      if (this.stateValue.rtc === 'live' && !wasHidden && !videoSawIt) this.rtcFailed('WebRTC video stalled.');
    }, this.options.stallMs ?? 2000);
  }

  private readonly onVisibility = () => {
    this.hiddenSince = performance.now();
  };

  private dropRtc(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    clearTimeout(this.rtcTimer);
    this.rtcCleanup?.();
    this.rtcCleanup = null;
    this.rtc?.close();
    this.rtc = null;
    this.setRtcAudio({ state: 'pending', track: null });
  }

  private setRtcAudio(audio: RtcAudioState): void {
    if (audio.state === this.rtcAudioValue.state && audio.track === this.rtcAudioValue.track) return;
    this.rtcAudioValue = audio;
    if (!this.disposed) this.onRtcAudio.emit(audio);
  }

  private frameShown(kind: TransportKind): void {
    if (kind === 'webrtc') this.lastVideoFrameAt = performance.now();
    if (kind !== this.stateValue.active) return;
    this.fps.tick();
    if (!this.stateValue.pictureShown) this.update({ pictureShown: true });
  }

  private update(patch: Partial<StreamState>): void {
    if (this.disposed) return;
    const next = { ...this.stateValue, ...patch };
    if ((Object.keys(next) as (keyof StreamState)[]).every((k) => next[k] === this.stateValue[k])) return;
    this.stateValue = next;
    this.onChange.emit(next);
  }
}
