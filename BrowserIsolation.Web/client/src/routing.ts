/**
 * The app has two screens; the viewer is addressable as `/?session=<id>[&token=<joinToken>]`. A join token in the
 * address is moved at once into this tab's session storage and taken out of the address bar, so it stays out of the
 * history, bookmarks, screenshots and Referer headers.
 */
export type Route =
  | { view: 'start' }
  | { view: 'viewer'; sessionId: string; token?: string };

/** Where a tab keeps its join tokens (window.sessionStorage in the browser). */
export interface TokenStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const tokenKey = (sessionId: string) => `bi.joinToken.${sessionId}`;

function tabStorage(): TokenStore | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

export function readRoute(search: string = window.location.search, tokens: TokenStore | undefined = tabStorage()): Route {
  const q = new URLSearchParams(search);
  const sessionId = q.get('session')?.trim();
  if (!sessionId) return { view: 'start' };
  const token = q.get('token')?.trim() || tokens?.getItem(tokenKey(sessionId)) || undefined;
  return { view: 'viewer', sessionId, token };
}

/** Builds the URL for a route, keeping unrelated query parameters (config such as `transport`); never the token. */
export function routeUrl(route: Route, current: URL = new URL(window.location.href)): string {
  const url = new URL(current.href);
  url.searchParams.delete('session');
  url.searchParams.delete('token');
  if (route.view === 'viewer') {
    url.searchParams.set('session', route.sessionId);
  }
  return url.pathname + url.search + url.hash;
}

/** Keeps the route's token in the tab and replaces an address that shows it with one that does not. */
export function hideToken(
  route: Route,
  current: URL = new URL(window.location.href),
  history: Pick<History, 'replaceState'> = window.history,
  tokens: TokenStore | undefined = tabStorage(),
): void {
  if (route.view === 'viewer' && route.token) tokens?.setItem(tokenKey(route.sessionId), route.token);
  if (current.searchParams.has('token')) history.replaceState(null, '', routeUrl(route, current));
}

export function navigate(route: Route): void {
  if (route.view === 'viewer' && route.token) tabStorage()?.setItem(tokenKey(route.sessionId), route.token);
  window.history.pushState(null, '', routeUrl(route));
  window.dispatchEvent(new PopStateEvent('popstate'));
}
