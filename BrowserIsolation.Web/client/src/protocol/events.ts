// Server -> client text events on the session WebSocket (docs/protocol.md).

export type Role = 'owner' | 'controller' | 'viewer';
export type ControlMode = 'exclusive' | 'shared';
export type ViewportMode = 'fixed' | 'follow-owner';

export interface HelloEvent {
  type: 'hello'; sessionId: string; width: number; height: number; participantId?: string; role?: Role; name?: string;
  /** True when this runner captures sound; absent (older runners) or false: no sound to offer. */
  audio?: boolean;
}
export interface StatusEvent { type: 'status'; status: 'ready' | 'terminated' | 'error'; error?: string }
export interface NavigationEvent { type: 'navigation'; url: string; title: string; tabId?: string; canGoBack?: boolean; canGoForward?: boolean }
export interface ViewportEvent { type: 'viewport'; width: number; height: number; mode?: ViewportMode }
export interface ErrorEvent { type: 'error'; code?: string; message: string }

export interface Quality { participantId: string; transport: string; fps: number; kbps: number; rttMs?: number }

export interface ParticipantInfo {
  participantId: string;
  name: string;
  role: Role;
  color: string;
  connected: boolean;
  control: boolean;
  requested: boolean;
  /** This participant's sound is on and playing (absent = false). */
  hearing: boolean;
  quality?: Quality;
}

export interface ControlInfo {
  mode: ControlMode;
  holder: string | null;
  controllers: string[];
  requests: string[];
  idleTimeoutMs: number;
}

export interface ControlChange { action: string; participantId: string | null; by: string | null; previous: string | null }

export interface ParticipantsEvent { type: 'participants'; participants: ParticipantInfo[]; control: ControlInfo }
export interface JoinedEvent { type: 'joined'; participant: ParticipantInfo }
export interface LeftEvent { type: 'left'; participantId: string; name: string; reason: string }
export interface ControlEvent { type: 'control'; control: ControlInfo; change: ControlChange }
export interface CursorEvent { type: 'cursor'; participantId: string; x: number; y: number; hidden: boolean }
export interface ClickEvent { type: 'click'; participantId: string; x: number; y: number; button: string }
export interface QualityEvent { type: 'quality'; participants: Quality[] }
export interface RemovedEvent { type: 'removed'; message: string }
export interface ClipboardEvent { type: 'clipboard'; text: string; truncated: boolean }
export interface FileChooserEvent { type: 'file-chooser'; id: string; tabId: string; multiple: boolean; accept?: string }
export interface FileChooserClosedEvent { type: 'file-chooser-closed'; id: string }

export interface TabInfo { tabId: string; url: string; title: string; active: boolean }
export interface TabsEvent { type: 'tabs'; tabs: TabInfo[] }
export interface PolicyEvent {
  type: 'policy'; allowCopyOut: boolean; allowPasteIn: boolean; allowUploads: boolean; allowDownloads: boolean; newTabUrl: string;
  /** False when the session's policy turns sound off (absent = true, for older servers). */
  allowAudio: boolean;
}
export interface BlockedEvent { type: 'blocked'; url: string; reason: string }
export interface PongEvent { type: 'pong' }

export type ServerEvent =
  | HelloEvent | StatusEvent | NavigationEvent | ViewportEvent | ErrorEvent
  | ParticipantsEvent | JoinedEvent | LeftEvent | ControlEvent | CursorEvent | ClickEvent | QualityEvent | RemovedEvent
  | ClipboardEvent | FileChooserEvent | FileChooserClosedEvent | TabsEvent | PolicyEvent | BlockedEvent | PongEvent;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const bool = (v: unknown): boolean => v === true;
const optBool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const role = (v: unknown): Role | undefined => (v === 'owner' || v === 'controller' || v === 'viewer' ? v : undefined);

function quality(v: unknown): Quality | undefined {
  if (!isObject(v) || typeof v.participantId !== 'string') return undefined;
  return {
    participantId: v.participantId,
    transport: str(v.transport) || 'unknown',
    fps: isNum(v.fps) ? v.fps : 0,
    kbps: isNum(v.kbps) ? v.kbps : 0,
    rttMs: isNum(v.rttMs) ? v.rttMs : undefined,
  };
}

function participant(v: unknown): ParticipantInfo | undefined {
  if (!isObject(v) || typeof v.participantId !== 'string') return undefined;
  return {
    participantId: v.participantId,
    name: str(v.name) || v.participantId,
    role: role(v.role) ?? 'viewer',
    color: /^#[0-9a-f]{6}$/i.test(str(v.color)) ? str(v.color) : '#888888',
    connected: bool(v.connected),
    control: bool(v.control),
    requested: bool(v.requested),
    hearing: bool(v.hearing),
    quality: quality(v.quality),
  };
}

function control(v: Record<string, unknown>): ControlInfo {
  return {
    mode: v.mode === 'shared' ? 'shared' : 'exclusive',
    holder: strOrNull(v.holder),
    controllers: strings(v.controllers),
    requests: strings(v.requests),
    idleTimeoutMs: isNum(v.idleTimeoutMs) ? v.idleTimeoutMs : 0,
  };
}

function tab(v: unknown): TabInfo | undefined {
  return isObject(v) && typeof v.tabId === 'string'
    ? { tabId: v.tabId, url: str(v.url), title: str(v.title), active: bool(v.active) }
    : undefined;
}

/**
 * Parses one text message. Unknown types and malformed events are returned as null so that
 * newer servers never break an older client.
 */
export function parseServerEvent(text: string): ServerEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data)) return null;
  switch (data.type) {
    case 'hello':
      return isSize(data.width) && isSize(data.height)
        ? {
            type: 'hello', sessionId: str(data.sessionId), width: data.width, height: data.height,
            participantId: optStr(data.participantId), role: role(data.role), name: optStr(data.name),
            ...(typeof data.audio === 'boolean' ? { audio: data.audio } : {}),
          }
        : null;
    case 'viewport':
      return isSize(data.width) && isSize(data.height)
        ? { type: 'viewport', width: data.width, height: data.height, mode: data.mode === 'follow-owner' ? 'follow-owner' : data.mode === 'fixed' ? 'fixed' : undefined }
        : null;
    case 'status':
      return data.status === 'ready' || data.status === 'terminated' || data.status === 'error'
        ? { type: 'status', status: data.status, error: typeof data.error === 'string' ? data.error : undefined }
        : null;
    case 'navigation':
      return { type: 'navigation', url: str(data.url), title: str(data.title), tabId: optStr(data.tabId), canGoBack: optBool(data.canGoBack), canGoForward: optBool(data.canGoForward) };
    case 'error':
      return { type: 'error', code: optStr(data.code), message: str(data.message) || 'The server refused a message.' };
    case 'participants':
      return Array.isArray(data.participants) && isObject(data.control)
        ? { type: 'participants', participants: data.participants.map(participant).filter((p): p is ParticipantInfo => !!p), control: control(data.control) }
        : null;
    case 'joined': {
      const p = participant(data.participant);
      return p ? { type: 'joined', participant: p } : null;
    }
    case 'left':
      return typeof data.participantId === 'string' ? { type: 'left', participantId: data.participantId, name: str(data.name), reason: str(data.reason) || 'left' } : null;
    case 'control':
      return isObject(data.change)
        ? {
            type: 'control',
            control: control(data),
            change: { action: str(data.change.action), participantId: strOrNull(data.change.participantId), by: strOrNull(data.change.by), previous: strOrNull(data.change.previous) },
          }
        : null;
    case 'cursor':
      if (typeof data.participantId !== 'string') return null;
      if (data.hidden === true) return { type: 'cursor', participantId: data.participantId, x: 0, y: 0, hidden: true };
      return isNum(data.x) && isNum(data.y) ? { type: 'cursor', participantId: data.participantId, x: data.x, y: data.y, hidden: false } : null;
    case 'click':
      return typeof data.participantId === 'string' && isNum(data.x) && isNum(data.y)
        ? { type: 'click', participantId: data.participantId, x: data.x, y: data.y, button: str(data.button) || 'left' }
        : null;
    case 'quality':
      return Array.isArray(data.participants) ? { type: 'quality', participants: data.participants.map(quality).filter((q): q is Quality => !!q) } : null;
    case 'removed':
      return { type: 'removed', message: str(data.message) || 'You were removed from this session.' };
    case 'clipboard':
      return typeof data.text === 'string' ? { type: 'clipboard', text: data.text, truncated: bool(data.truncated) } : null;
    case 'file-chooser':
      return typeof data.id === 'string' ? { type: 'file-chooser', id: data.id, tabId: str(data.tabId), multiple: data.mode === 'multiple', accept: optStr(data.accept) } : null;
    case 'file-chooser-closed':
      return typeof data.id === 'string' ? { type: 'file-chooser-closed', id: data.id } : null;
    case 'tabs':
      return Array.isArray(data.tabs) ? { type: 'tabs', tabs: data.tabs.map(tab).filter((t): t is TabInfo => !!t) } : null;
    case 'policy':
      return {
        type: 'policy',
        allowCopyOut: data.allowCopyOut !== false,
        allowPasteIn: data.allowPasteIn !== false,
        allowUploads: data.allowUploads !== false,
        allowDownloads: data.allowDownloads === true,
        newTabUrl: str(data.newTabUrl) || 'about:blank',
        allowAudio: data.allowAudio !== false,
      };
    case 'blocked':
      return { type: 'blocked', url: str(data.url), reason: str(data.reason) };
    case 'pong':
      return { type: 'pong' };
    default:
      return null;
  }
}
