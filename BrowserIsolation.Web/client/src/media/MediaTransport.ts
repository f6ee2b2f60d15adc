import type { Emitter } from '../net/Emitter';

export type TransportKind = 'jpeg' | 'webrtc';

export const transportLabel: Record<TransportKind, string> = {
  jpeg: 'WebSocket JPEG',
  webrtc: 'WebRTC',
};

/** `live` means pictures are being shown; `failed` carries the reason in `detail`. */
export type TransportState = 'idle' | 'connecting' | 'live' | 'failed' | 'closed';

export interface TransportStatus {
  state: TransportState;
  detail?: string;
}

/** One way of getting the remote picture onto an element. Input never goes through it. */
export interface MediaTransport {
  readonly kind: TransportKind;
  /** The element the picture is drawn on; input coordinates are mapped against it. */
  readonly element: HTMLCanvasElement | HTMLVideoElement;
  readonly onStatus: Emitter<TransportStatus>;
  /** Fires once per frame shown (for the client-side fps). */
  readonly onFrameShown: Emitter<void>;
  readonly status: TransportStatus;
  /** Sound on this transport (WebRTC): the remote audio track, or null once the answer came without sound. */
  readonly onAudioTrack?: Emitter<MediaStreamTrack | null>;
  connect(): void;
  close(): void;
}
