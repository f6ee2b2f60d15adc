import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, problemFromResponse } from '../src/api/problem';
import { readConfig } from '../src/config';
import { FpsMeter } from '../src/media/FpsMeter';
import { backoffDelay } from '../src/net/backoff';
import { hideToken, readRoute, routeUrl } from '../src/routing';
import { Store } from '../src/session/Store';

test('config: defaults, then the host object, then the query string', () => {
  assert.deepEqual(readConfig('', {}), { rtcTimeoutMs: 5000, transport: 'auto', startTimeoutMs: 90000, embed: false });
  assert.equal(readConfig('?embed=1', {}).embed, true);
  assert.equal(readConfig('?embed', {}).embed, true);
  assert.equal(readConfig('?embed=0', { embed: true }).embed, false);
  assert.equal(readConfig('', { embed: true }).embed, true);
  assert.equal(readConfig('', { rtcTimeoutMs: 8000 }).rtcTimeoutMs, 8000);
  assert.equal(readConfig('?rtcTimeoutMs=1500', { rtcTimeoutMs: 8000 }).rtcTimeoutMs, 1500);
  assert.equal(readConfig('?rtcTimeoutMs=-1', {}).rtcTimeoutMs, 5000);
  assert.equal(readConfig('?transport=jpeg', {}).transport, 'jpeg');
  assert.equal(readConfig('?transport=carrier-pigeon', {}).transport, 'auto');
});

test('routes: deep links to a session, with an optional join token', () => {
  assert.deepEqual(readRoute('', undefined), { view: 'start' });
  assert.deepEqual(readRoute('?session=abc', undefined), { view: 'viewer', sessionId: 'abc', token: undefined });
  assert.deepEqual(readRoute('?session=abc&token=t1', undefined), { view: 'viewer', sessionId: 'abc', token: 't1' });
});

test('a join token leaves the address bar and stays in the tab', () => {
  const stored = new Map<string, string>();
  const tokens = { getItem: (k: string) => stored.get(k) ?? null, setItem: (k: string, v: string) => void stored.set(k, v) };
  const replaced: string[] = [];
  const history = { replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => void replaced.push(String(url)) };
  const here = new URL('http://h/?transport=jpeg&session=abc&token=t1');
  const route = readRoute(here.search, tokens);
  assert.deepEqual(route, { view: 'viewer', sessionId: 'abc', token: 't1' });
  hideToken(route, here, history, tokens);
  assert.deepEqual(replaced, ['/?transport=jpeg&session=abc']);
  // A reload of the cleaned address still joins with the token; another session does not get it.
  assert.deepEqual(readRoute('?transport=jpeg&session=abc', tokens), { view: 'viewer', sessionId: 'abc', token: 't1' });
  assert.equal((readRoute('?session=other', tokens) as { token?: string }).token, undefined);
  // An address without a token is left alone.
  hideToken(readRoute('?session=abc', tokens), new URL('http://h/?session=abc'), history, tokens);
  assert.equal(replaced.length, 1);
  assert.equal(routeUrl({ view: 'viewer', sessionId: 'abc', token: 't1' }, here), '/?transport=jpeg&session=abc');
});

test('routes keep unrelated parameters such as the transport', () => {
  const here = new URL('http://h/?transport=jpeg&session=old');
  assert.equal(routeUrl({ view: 'viewer', sessionId: 'n 1' }, here), '/?transport=jpeg&session=n+1');
  assert.equal(routeUrl({ view: 'start' }, here), '/?transport=jpeg');
});

test('problem details become readable errors, with Retry-After', async () => {
  const response = new Response(JSON.stringify({ title: 'Too many sessions', detail: 'At most 10 sessions run at once.', status: 429 }), {
    status: 429,
    headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '30' },
  });
  const error = await problemFromResponse(response);
  assert.ok(error instanceof ApiError);
  assert.equal(error.status, 429);
  assert.equal(error.describe(), 'Too many sessions: At most 10 sessions run at once. Try again in 30 s.');
});

test('a failure without a problem body falls back to the status line', async () => {
  const error = await problemFromResponse(new Response('<html>', { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } }));
  assert.equal(error.title, '502 Bad Gateway');
});

test('backoff doubles up to its cap, with jitter', () => {
  const mid = () => 0.5;
  assert.deepEqual([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, 500, 10_000, mid)), [500, 1000, 2000, 4000, 8000, 10000, 10000]);
  assert.equal(backoffDelay(0, 500, 10_000, () => 0), 400);
  assert.equal(backoffDelay(0, 500, 10_000, () => 1), 600);
});

test('fps counts frames in the last second', () => {
  let now = 0;
  const meter = new FpsMeter(1000, () => now);
  for (let i = 0; i < 60; i++) {
    now = i * (1000 / 60);
    meter.tick();
  }
  assert.equal(meter.fps, 60);
  now += 1001;
  assert.equal(meter.fps, 0);
});

test('store patches only notify on a change', () => {
  const store = new Store({ a: 1, b: 'x' });
  let calls = 0;
  store.subscribe(() => calls++);
  store.patch({ a: 1 });
  assert.equal(calls, 0);
  store.patch({ a: 2 });
  assert.equal(calls, 1);
  assert.deepEqual(store.get(), { a: 2, b: 'x' });
});
