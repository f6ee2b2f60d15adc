import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientToViewport, containedContentRect, viewportToClient } from '../src/input/coordinates';

const viewport = { width: 1280, height: 720 };

test('a box wider than 16:9 letterboxes left and right', () => {
  const content = containedContentRect({ left: 10, top: 50, width: 2000, height: 720 }, viewport);
  assert.deepEqual(content, { left: 10 + 360, top: 50, width: 1280, height: 720 });
});

test('a box taller than 16:9 letterboxes top and bottom', () => {
  const content = containedContentRect({ left: 0, top: 0, width: 640, height: 1000 }, viewport);
  assert.equal(content.width, 640);
  assert.equal(content.height, 360);
  assert.equal(content.top, 320);
});

test('scaled down by half, a client point maps to twice its offset', () => {
  const content = containedContentRect({ left: 100, top: 100, width: 640, height: 360 }, viewport);
  assert.deepEqual(clientToViewport(100 + 200, 100 + 150, content, viewport), { x: 400, y: 300, inside: true });
});

test('scaled up, fractions floor to the pixel under the pointer', () => {
  const content = containedContentRect({ left: 0, top: 0, width: 2560, height: 1440 }, viewport);
  assert.deepEqual(clientToViewport(801, 601, content, viewport), { x: 400, y: 300, inside: true });
});

test('points in the letterbox are outside and clamp to the edge', () => {
  const content = containedContentRect({ left: 0, top: 0, width: 640, height: 1000 }, viewport);
  const above = clientToViewport(320, 10, content, viewport);
  assert.equal(above.inside, false);
  assert.equal(above.y, 0);
  const below = clientToViewport(700, 990, content, viewport);
  assert.deepEqual(below, { x: 1279, y: 719, inside: false });
});

test('the right and bottom edges stay inside the viewport', () => {
  const content = { left: 0, top: 0, width: 1280, height: 720 };
  assert.deepEqual(clientToViewport(1279.99, 719.99, content, viewport), { x: 1279, y: 719, inside: true });
  assert.equal(clientToViewport(1280, 100, content, viewport).inside, false);
});

test('a video decoded smaller than the viewport still maps to viewport pixels', () => {
  // WebRTC may send 640x360 for a 1280x720 viewport: same aspect, so the same content box.
  const content = containedContentRect({ left: 0, top: 0, width: 1000, height: 900 }, { width: 640, height: 360 });
  const p = clientToViewport(content.left + content.width / 2, content.top + content.height / 2, content, viewport);
  assert.deepEqual(p, { x: 640, y: 360, inside: true });
});

test('viewportToClient is the inverse of clientToViewport', () => {
  const content = containedContentRect({ left: 13, top: 57, width: 1111, height: 777 }, viewport);
  for (const [x, y] of [[0, 0], [640, 360], [1279, 719], [17, 700]]) {
    const c = viewportToClient(x, y, content, viewport);
    assert.deepEqual(clientToViewport(c.clientX, c.clientY, content, viewport), { x, y, inside: true });
  }
});

test('no picture yet: nothing is inside', () => {
  const content = containedContentRect({ left: 0, top: 0, width: 0, height: 0 }, viewport);
  assert.equal(clientToViewport(0, 0, content, viewport).inside, false);
});
