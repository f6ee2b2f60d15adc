import { request } from './http';
import type { SessionRef } from './sessions';
import type { ControlMode, Role, ViewportMode } from '../protocol/events';

// Participants and control over REST (docs/protocol.md, "Co-browsing"): what an owner does to others.

const path = (ref: SessionRef, rest: string) => `/api/sessions/${encodeURIComponent(ref.sessionId)}/${rest}`;

export function setRole(ref: SessionRef, participantId: string, role: Role): Promise<Response> {
  return request(path(ref, `participants/${encodeURIComponent(participantId)}`), {
    method: 'PUT',
    body: JSON.stringify({ role }),
    contentType: 'application/json',
    token: ref.token,
  });
}

export function removeParticipant(ref: SessionRef, participantId: string): Promise<Response> {
  return request(path(ref, `participants/${encodeURIComponent(participantId)}`), { method: 'DELETE', token: ref.token });
}

export interface ControlSettings { mode?: ControlMode; idleTimeoutSeconds?: number; viewportMode?: ViewportMode }

export function putControlSettings(ref: SessionRef, settings: ControlSettings): Promise<Response> {
  return request(path(ref, 'control'), { method: 'PUT', body: JSON.stringify(settings), contentType: 'application/json', token: ref.token });
}

/** Answers a page's file chooser with local files (multipart; the server keeps them for the session only). */
export function uploadFiles(ref: SessionRef, chooserId: string, files: readonly File[], signal?: AbortSignal): Promise<Response> {
  const form = new FormData();
  for (const file of files) form.append('file', file, file.name);
  return request(path(ref, `uploads/${encodeURIComponent(chooserId)}`), { method: 'POST', body: form, token: ref.token, signal });
}

export function dismissChooser(ref: SessionRef, chooserId: string): Promise<Response> {
  return request(path(ref, `uploads/${encodeURIComponent(chooserId)}`), { method: 'DELETE', token: ref.token });
}
