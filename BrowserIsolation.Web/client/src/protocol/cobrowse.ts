// Client -> server co-browsing messages (docs/protocol.md, "Co-browsing").
import type { ControlMode, ViewportMode } from './events';

export type ControlAction = 'request' | 'cancel' | 'release' | 'take' | 'grant' | 'deny' | 'revoke';

export type CoBrowseMessage =
  | { type: 'control'; action: ControlAction; participantId?: string }
  | { type: 'control'; action: 'mode'; mode: ControlMode }
  | { type: 'cursor'; x: number; y: number }
  | { type: 'cursor'; hidden: true }
  | { type: 'stats'; transport: string; fps: number; kbps: number; rttMs?: number }
  | { type: 'paste'; text: string }
  | { type: 'viewport-size'; width: number; height: number }
  | { type: 'viewport-mode'; mode: ViewportMode }
  | { type: 'ping' };
