import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cursorIdleMs, Presence, rippleMs } from '../src/cobrowse/presence';
import { longPressMs, TouchGesture } from '../src/input/TouchGesture';

test('cursors move, hide, go with their owner and fade when idle', () => {
  let now = 0;
  const presence = new Presence(() => now);
  let changes = 0;
  presence.onChange.on(() => changes++);
  presence.apply({ type: 'cursor', participantId: 'a', x: 1, y: 2, hidden: false });
  presence.apply({ type: 'cursor', participantId: 'a', x: 3, y: 4, hidden: false });
  presence.apply({ type: 'cursor', participantId: 'b', x: 5, y: 6, hidden: false });
  assert.deepEqual(presence.cursors.map((c) => [c.participantId, c.x, c.y]), [['a', 3, 4], ['b', 5, 6]]);
  presence.apply({ type: 'cursor', participantId: 'b', x: 0, y: 0, hidden: true });
  assert.deepEqual(presence.cursors.map((c) => c.participantId), ['a']);
  presence.forget('a');
  assert.equal(presence.cursors.length, 0);
  presence.apply({ type: 'cursor', participantId: 'c', x: 0, y: 0, hidden: false });
  now = cursorIdleMs + 1;
  assert.equal(presence.prune(), true);
  assert.equal(presence.cursors.length, 0);
  assert.ok(changes >= 6);
});

test('click ripples last a moment', () => {
  let now = 0;
  const presence = new Presence(() => now);
  presence.apply({ type: 'click', participantId: 'a', x: 10, y: 10, button: 'left' });
  now = rippleMs / 2;
  presence.apply({ type: 'click', participantId: 'a', x: 20, y: 20, button: 'left' });
  assert.equal(presence.ripples.length, 2);
  now = rippleMs + 1;
  presence.prune();
  assert.deepEqual(presence.ripples.map((r) => r.x), [20]);
});

test('a touch tap clicks, a long press right-clicks, a drag scrolls with the finger', () => {
  const touch = new TouchGesture();
  touch.down(100, 100, 0);
  assert.equal(touch.move(104, 103), null, 'a wobble is still a tap');
  assert.deepEqual(touch.up(120), { kind: 'tap', clientX: 100, clientY: 100, button: 'left' });

  touch.down(50, 50, 0);
  assert.deepEqual(touch.up(longPressMs + 10), { kind: 'tap', clientX: 50, clientY: 50, button: 'right' });

  touch.down(100, 300, 0);
  const first = touch.move(100, 250);
  assert.deepEqual(first, { kind: 'scroll', clientX: 100, clientY: 300, dx: 0, dy: 50 }, 'dragging up scrolls down');
  assert.deepEqual(touch.move(100, 240), { kind: 'scroll', clientX: 100, clientY: 300, dx: 0, dy: 10 });
  assert.equal(touch.up(500), null, 'a drag is not a tap');
  assert.equal(touch.active, false);
});
