/** The app has two screens; the viewer is addressable as `/?session=<id>[&token=<joinToken>]`. */
export type Route =
  | { view: 'start' }
  | { view: 'viewer'; sessionId: string; token?: string };

export function readRoute(search: string = window.location.search): Route {
  const q = new URLSearchParams(search);
  const sessionId = q.get('session')?.trim();
  if (!sessionId) return { view: 'start' };
  const token = q.get('token')?.trim() || undefined;
  return { view: 'viewer', sessionId, token };
}

/** Builds the URL for a route, keeping unrelated query parameters (config such as `transport`). */
export function routeUrl(route: Route, current: URL = new URL(window.location.href)): string {
  const url = new URL(current.href);
  url.searchParams.delete('session');
  url.searchParams.delete('token');
  if (route.view === 'viewer') {
    url.searchParams.set('session', route.sessionId);
    if (route.token) url.searchParams.set('token', route.token);
  }
  return url.pathname + url.search + url.hash;
}

export function navigate(route: Route): void {
  window.history.pushState(null, '', routeUrl(route));
  window.dispatchEvent(new PopStateEvent('popstate'));
}
