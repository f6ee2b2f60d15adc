import { request, requestJson } from './http';

export type SessionStatus = 'pending' | 'ready' | 'terminated' | 'error';

export interface SessionMetrics {
  fps?: number;
  framesSent?: number;
  connectedClients?: number;
  startupMs?: number;
  [name: string]: unknown;
}

export interface SessionInfo {
  sessionId: string;
  status: SessionStatus;
  url?: string;
  error?: string | null;
  createdAt?: string;
  readyAt?: string | null;
  width?: number;
  height?: number;
  wsUrl?: string;
  metrics?: SessionMetrics;
}

export interface CreateSessionRequest {
  url: string;
  width?: number;
  height?: number;
}

/** Who is asking: the session id and, for invited participants, a join token. */
export interface SessionRef {
  sessionId: string;
  token?: string;
}

const base = '/api/sessions';
const path = (id: string) => `${base}/${encodeURIComponent(id)}`;

export function createSession(body: CreateSessionRequest, signal?: AbortSignal): Promise<SessionInfo> {
  return requestJson<SessionInfo>(base, {
    method: 'POST',
    body: JSON.stringify(body),
    contentType: 'application/json',
    signal,
  });
}

export function getSession(ref: SessionRef, signal?: AbortSignal): Promise<SessionInfo> {
  return requestJson<SessionInfo>(path(ref.sessionId), { token: ref.token, signal });
}

export async function deleteSession(ref: SessionRef, signal?: AbortSignal): Promise<void> {
  await request(path(ref.sessionId), { method: 'DELETE', token: ref.token, signal });
}

export interface IceConfig {
  iceServers: RTCIceServer[];
}

export function getIceServers(ref: SessionRef, signal?: AbortSignal): Promise<IceConfig> {
  return requestJson<IceConfig>(`${path(ref.sessionId)}/ice`, { token: ref.token, signal });
}

/** Sends the SDP offer; the answer may come back as plain SDP or as `{"sdp"}` JSON. */
export async function postOffer(ref: SessionRef, offerSdp: string, signal?: AbortSignal): Promise<string> {
  const response = await request(`${path(ref.sessionId)}/offer`, {
    method: 'POST',
    body: offerSdp,
    contentType: 'application/sdp',
    accept: 'application/sdp, application/json, application/problem+json',
    token: ref.token,
    signal,
  });
  const text = await response.text();
  const contentType = response.headers.get('Content-Type') ?? '';
  if (contentType.includes('json')) {
    const body = JSON.parse(text) as { sdp?: unknown };
    if (typeof body.sdp !== 'string') throw new Error('The offer answer has no "sdp".');
    return body.sdp;
  }
  return text;
}

/** The control/frames WebSocket of a session, on the same origin as the page. */
export function sessionSocketUrl(ref: SessionRef, location: Location = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = ref.token ? `?token=${encodeURIComponent(ref.token)}` : '';
  return `${scheme}//${location.host}/ws/sessions/${encodeURIComponent(ref.sessionId)}${query}`;
}
