import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseServerEvent } from '../src/protocol/events';

test('each protocol event parses', () => {
  assert.deepEqual(parseServerEvent('{"type":"hello","sessionId":"s1","width":1280,"height":720}'), { type: 'hello', sessionId: 's1', width: 1280, height: 720 });
  assert.deepEqual(parseServerEvent('{"type":"status","status":"error","error":"runner died"}'), { type: 'status', status: 'error', error: 'runner died' });
  assert.deepEqual(parseServerEvent('{"type":"navigation","url":"https://a/","title":"A"}'), { type: 'navigation', url: 'https://a/', title: 'A' });
  assert.deepEqual(parseServerEvent('{"type":"viewport","width":800,"height":600}'), { type: 'viewport', width: 800, height: 600 });
  assert.deepEqual(parseServerEvent('{"type":"error","code":"bad_input","message":"x must be a number"}'), { type: 'error', code: 'bad_input', message: 'x must be a number' });
});

test('unknown types and broken messages are ignored, not thrown', () => {
  for (const text of ['{"type":"cursor","x":1}', 'not json', '[]', 'null', '{"type":"hello","width":0,"height":720}', '{"type":"status","status":"weird"}']) {
    assert.equal(parseServerEvent(text), null, text);
  }
});

test('an error event without a message still says something', () => {
  assert.equal((parseServerEvent('{"type":"error"}') as { message: string }).message.length > 0, true);
});
