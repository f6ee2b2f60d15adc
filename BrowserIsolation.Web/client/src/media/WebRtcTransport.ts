import { getIceServers, postOffer, type SessionRef } from '../api/sessions';
import { ApiError, describeError } from '../api/problem';
import { Emitter } from '../net/Emitter';
import type { MediaTransport, TransportStatus } from './MediaTransport';

export interface WebRtcOptions {
  /** The server is ICE-lite without trickle: the offer carries our candidates, gathered for at most this long. */
  gatherTimeoutMs?: number;
  /** How long `disconnected` may last before the transport counts as failed. */
  disconnectGraceMs?: number;
}

/**
 * Receive-only VP8 video (and Opus sound, when the runner has it) from the runner over WebRTC; the video is shown in a
 * muted <video>, the audio track is handed on (`onAudioTrack`) for the sound output. Signaling is one HTTP exchange:
 * GET /ice, then POST /offer (application/sdp) -> answer. The caller owns the timeout; this reports `live` once a
 * frame has been shown.
 */
export class WebRtcTransport implements MediaTransport {
  readonly kind = 'webrtc' as const;
  readonly onStatus = new Emitter<TransportStatus>();
  readonly onFrameShown = new Emitter<void>();
  /** The remote audio track; null when the server answered the audio section without sound (port 0). */
  readonly onAudioTrack = new Emitter<MediaStreamTrack | null>();

  private statusValue: TransportStatus = { state: 'idle' };
  private pc: RTCPeerConnection | null = null;
  private readonly abort = new AbortController();
  private disconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private frameCallback: number | undefined;
  private closed = false;
  private audioTrack: MediaStreamTrack | null = null;

  constructor(
    readonly element: HTMLVideoElement,
    private readonly session: SessionRef,
    private readonly options: WebRtcOptions = {},
  ) {}

  get status(): TransportStatus {
    return this.statusValue;
  }

  /** Video bytes received so far and the ICE round trip, from the peer connection's stats (null before it exists). */
  async stats(): Promise<{ bytesReceived: number; rttMs?: number } | null> {
    const pc = this.pc;
    if (!pc) return null;
    let bytesReceived = 0;
    let rttMs: number | undefined;
    (await pc.getStats()).forEach((report: Record<string, unknown>) => {
      if (report.type === 'inbound-rtp' && report.kind === 'video' && typeof report.bytesReceived === 'number') bytesReceived += report.bytesReceived;
      if (report.type === 'candidate-pair' && report.nominated === true && typeof report.currentRoundTripTime === 'number') {
        rttMs = report.currentRoundTripTime * 1000;
      }
    });
    return { bytesReceived, rttMs };
  }

  connect(): void {
    if (this.statusValue.state !== 'idle') return;
    this.setStatus({ state: 'connecting' });
    this.negotiate().catch((error: unknown) => this.fail(negotiationFailure(error)));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    clearTimeout(this.disconnectTimer);
    if (this.frameCallback !== undefined) this.element.cancelVideoFrameCallback(this.frameCallback);
    this.element.removeEventListener('playing', this.onPlaying);
    if (this.pc) {
      this.pc.onconnectionstatechange = this.pc.ontrack = null;
      this.pc.close();
      this.pc = null;
    }
    // The element keeps its last picture (shown dimmed when the session ends); a retry replaces the stream.
    this.element.pause();
    if (this.statusValue.state !== 'failed') this.setStatus({ state: 'closed' });
  }

  private async negotiate(): Promise<void> {
    if (typeof RTCPeerConnection === 'undefined') throw new Error('this browser has no WebRTC');
    const signal = this.abort.signal;
    const { iceServers } = await getIceServers(this.session, signal);
    if (this.closed) return;

    const pc = new RTCPeerConnection({ iceServers: iceServers ?? [], bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
    this.pc = pc;
    // Video first, so its m-line stays the first one; then sound, which a runner without it rejects (port 0).
    const transceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    const audio = pc.addTransceiver('audio', { direction: 'recvonly' });
    // Interactive: ask for the smallest jitter buffers the browser allows.
    if ('jitterBufferTarget' in transceiver.receiver) transceiver.receiver.jitterBufferTarget = 0;
    if ('jitterBufferTarget' in audio.receiver) audio.receiver.jitterBufferTarget = 0;

    pc.ontrack = (e) => {
      if (e.track.kind === 'audio') {
        this.setAudioTrack(e.track);
        return;
      }
      // The video element stays muted: it only shows the picture (so its autoplay is never refused).
      this.element.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      this.element.addEventListener('playing', this.onPlaying);
      this.element.play().catch(() => {
        // Autoplay of a muted video is allowed; a refusal shows up as the timeout.
      });
    };
    pc.onconnectionstatechange = () => this.onConnectionState(pc.connectionState);

    await pc.setLocalDescription(await pc.createOffer());
    await this.iceGatheringDone(pc);
    if (this.closed) return;
    const offer = pc.localDescription?.sdp;
    if (!offer) throw new Error('no local description');

    const answer = await postOffer(this.session, offer, signal);
    if (this.closed) return;
    if (!answer.trimStart().startsWith('v=0')) throw new Error('the server did not answer with SDP');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    if (this.closed || this.audioTrack) return;
    // No audio track event: the answer rejected the audio section (no sound on this runner), unless it is receiving.
    const receiving = audio.currentDirection === 'recvonly' || audio.currentDirection === 'sendrecv';
    this.setAudioTrack(receiving ? audio.receiver.track : null);
  }

  private setAudioTrack(track: MediaStreamTrack | null): void {
    if (this.closed || (track !== null && track === this.audioTrack)) return;
    this.audioTrack = track;
    this.onAudioTrack.emit(track);
  }

  private iceGatheringDone(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        resolve();
      };
      const onChange = () => {
        if (pc.iceGatheringState === 'complete') finish();
      };
      // Host candidates come at once; a slow STUN/TURN server must not hold the offer back.
      const timer = setTimeout(finish, this.options.gatherTimeoutMs ?? 1500);
      pc.addEventListener('icegatheringstatechange', onChange);
    });
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    if (this.closed) return;
    if (state === 'failed') {
      this.fail('The WebRTC connection failed.');
    } else if (state === 'disconnected') {
      clearTimeout(this.disconnectTimer);
      this.disconnectTimer = setTimeout(() => this.fail('The WebRTC connection was lost.'), this.options.disconnectGraceMs ?? 3000);
    } else if (state === 'connected') {
      clearTimeout(this.disconnectTimer);
      this.goLiveIfPlaying();
    } else if (state === 'closed') {
      this.fail('The WebRTC connection was closed.');
    }
  }

  private readonly onPlaying = () => {
    this.watchFrames();
    this.goLiveIfPlaying();
  };

  private goLiveIfPlaying(): void {
    const connected = this.pc?.connectionState === 'connected';
    const hasPicture = this.element.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA && this.element.videoWidth > 0;
    if (connected && hasPicture && this.statusValue.state === 'connecting') this.setStatus({ state: 'live' });
  }

  /** Counts frames presented to the compositor, for the fps shown to the user. */
  private watchFrames(): void {
    if (this.frameCallback !== undefined || !('requestVideoFrameCallback' in this.element)) return;
    const onFrame = () => {
      if (this.closed) return;
      this.onFrameShown.emit();
      if (this.statusValue.state === 'connecting') this.goLiveIfPlaying();
      this.frameCallback = this.element.requestVideoFrameCallback(onFrame);
    };
    this.frameCallback = this.element.requestVideoFrameCallback(onFrame);
  }

  private fail(detail: string): void {
    if (this.closed || this.statusValue.state === 'failed') return;
    this.setStatus({ state: 'failed', detail });
    this.close();
  }

  private setStatus(status: TransportStatus): void {
    this.statusValue = status;
    this.onStatus.emit(status);
  }
}

/** A server without the signaling endpoints is not an error worth its details. */
function negotiationFailure(error: unknown): string {
  if (error instanceof ApiError && (error.status === 404 || error.status === 501)) return 'WebRTC is not available on this server.';
  return `WebRTC negotiation failed: ${describeError(error)}`;
}
