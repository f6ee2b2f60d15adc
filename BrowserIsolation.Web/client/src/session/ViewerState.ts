import type { SessionStatus } from '../api/sessions';
import type { RtcState } from '../media/StreamController';
import type { TransportKind } from '../media/MediaTransport';
import type { SocketState } from '../net/ControlSocket';

export interface ViewerError {
  message: string;
  /** Increases with each error, so the same text twice still shows as new. */
  seq: number;
}

/** Everything the viewer UI shows; one immutable snapshot per change. */
export interface ViewerState {
  /** `loading` until the first answer; `gone` when the server does not know the session. */
  status: SessionStatus | 'loading' | 'gone';
  connection: SocketState;
  transport: TransportKind;
  rtc: RtcState;
  transportNote?: string;
  canRetryWebRtc: boolean;
  fps: number;
  pictureShown: boolean;
  url: string;
  title: string;
  viewport: { width: number; height: number } | null;
  error: ViewerError | null;
  /** The session is over (terminated, failed or gone): no reconnects, the overlay offers a new one. */
  ended: boolean;
  endReason?: string;
}

export const initialViewerState: ViewerState = {
  status: 'loading',
  connection: 'closed',
  transport: 'jpeg',
  rtc: 'off',
  canRetryWebRtc: false,
  fps: 0,
  pictureShown: false,
  url: '',
  title: '',
  viewport: null,
  error: null,
  ended: false,
};
