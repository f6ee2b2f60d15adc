import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDimension, parseTargetUrl } from '../src/targetUrl';

test('http and https addresses pass unchanged', () => {
  assert.deepEqual(parseTargetUrl('https://example.com/a?b=1'), { ok: true, url: 'https://example.com/a?b=1' });
  assert.deepEqual(parseTargetUrl('  http://127.0.0.1:8080/x '), { ok: true, url: 'http://127.0.0.1:8080/x' });
});

test('a bare host or host:port means https', () => {
  assert.deepEqual(parseTargetUrl('example.com'), { ok: true, url: 'https://example.com/' });
  assert.deepEqual(parseTargetUrl('localhost:8080/page'), { ok: true, url: 'https://localhost:8080/page' });
});

test('other schemes are refused', () => {
  for (const input of ['ftp://example.com', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,hi', 'chrome://settings']) {
    const result = parseTargetUrl(input);
    assert.equal(result.ok, false, input);
  }
});

test('empty and malformed input is refused', () => {
  assert.equal(parseTargetUrl('   ').ok, false);
  assert.equal(parseTargetUrl('http://').ok, false);
  assert.equal(parseTargetUrl('exa mple.com').ok, false);
});

test('dimensions are optional whole numbers', () => {
  assert.deepEqual(parseDimension('', 'Width'), { ok: true });
  assert.deepEqual(parseDimension(' 1024 ', 'Width'), { ok: true, value: 1024 });
  assert.equal(parseDimension('12.5', 'Width').ok, false);
  assert.equal(parseDimension('-3', 'Width').ok, false);
  assert.equal(parseDimension('abc', 'Width').ok, false);
});
