import { request, requestJson } from './http';
import type { SessionRef } from './sessions';
import type { TabInfo } from '../protocol/events';

// The browser control API (docs/protocol.md): the address bar, history and tabs. A participant needs control for
// every call that drives the browser; the server answers 409 `no_control` otherwise.

const path = (ref: SessionRef, rest: string) => `/api/sessions/${encodeURIComponent(ref.sessionId)}/${rest}`;

function post(ref: SessionRef, rest: string, body?: object): Promise<Response> {
  return request(path(ref, rest), {
    method: 'POST',
    body: body ? JSON.stringify(body) : undefined,
    contentType: body ? 'application/json' : undefined,
    token: ref.token,
  });
}

export const navigateTo = (ref: SessionRef, url: string) => post(ref, 'navigate', { url });
export const goBack = (ref: SessionRef) => post(ref, 'back');
export const goForward = (ref: SessionRef) => post(ref, 'forward');
export const reload = (ref: SessionRef) => post(ref, 'reload');

export const listTabs = (ref: SessionRef) => requestJson<{ tabs: TabInfo[] }>(path(ref, 'tabs'), { token: ref.token });
export const openTab = (ref: SessionRef, url?: string) => post(ref, 'tabs', url ? { url } : undefined);
export const activateTab = (ref: SessionRef, tabId: string) => post(ref, `tabs/${encodeURIComponent(tabId)}/activate`);
export const closeTab = (ref: SessionRef, tabId: string) =>
  request(path(ref, `tabs/${encodeURIComponent(tabId)}`), { method: 'DELETE', token: ref.token });
