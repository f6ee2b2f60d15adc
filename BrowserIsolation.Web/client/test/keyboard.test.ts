import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitText } from '../src/input/KeyboardInput';
import { isCompositionKey, isPasteShortcut, isReleaseShortcut, modifierMask } from '../src/input/keyboard';

type Mods = Partial<{ altKey: boolean; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altGraph: boolean; key: string; code: string; isComposing: boolean; keyCode: number }>;

function key(m: Mods): KeyboardEvent {
  return {
    altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, key: 'a', code: 'KeyA', isComposing: false, keyCode: 65,
    ...m,
    getModifierState: (name: string) => name === 'AltGraph' && m.altGraph === true,
  } as unknown as KeyboardEvent;
}

test('modifier bitmask is Alt 1, Ctrl 2, Meta 4, Shift 8', () => {
  assert.equal(modifierMask(key({})), 0);
  assert.equal(modifierMask(key({ altKey: true })), 1);
  assert.equal(modifierMask(key({ ctrlKey: true })), 2);
  assert.equal(modifierMask(key({ metaKey: true })), 4);
  assert.equal(modifierMask(key({ shiftKey: true })), 8);
  assert.equal(modifierMask(key({ altKey: true, ctrlKey: true, metaKey: true, shiftKey: true })), 15);
});

test('AltGr (Ctrl+Alt on Windows) types a character, it is not a shortcut', () => {
  assert.equal(modifierMask(key({ ctrlKey: true, altKey: true, altGraph: true, key: '@', code: 'KeyQ' })), 0);
});

test('paste shortcuts use the local clipboard', () => {
  assert.equal(isPasteShortcut(key({ ctrlKey: true, key: 'v', code: 'KeyV' })), true);
  assert.equal(isPasteShortcut(key({ metaKey: true, key: 'v', code: 'KeyV' })), true);
  assert.equal(isPasteShortcut(key({ shiftKey: true, key: 'Insert', code: 'Insert' })), true);
  assert.equal(isPasteShortcut(key({ key: 'v', code: 'KeyV' })), false);
  assert.equal(isPasteShortcut(key({ ctrlKey: true, altKey: true, key: 'v', code: 'KeyV' })), false);
});

test('IME and dead keys are left to composition', () => {
  assert.equal(isCompositionKey(key({ isComposing: true })), true);
  assert.equal(isCompositionKey(key({ keyCode: 229, key: 'Process' })), true);
  assert.equal(isCompositionKey(key({ key: 'Dead', code: 'Quote' })), true);
  assert.equal(isCompositionKey(key({ key: 'Enter', code: 'Enter', keyCode: 13 })), false);
});

test('the release shortcut is Ctrl+Alt+Shift+Q only', () => {
  assert.equal(isReleaseShortcut(key({ ctrlKey: true, altKey: true, shiftKey: true, key: 'Q', code: 'KeyQ' })), true);
  assert.equal(isReleaseShortcut(key({ ctrlKey: true, shiftKey: true, key: 'Q', code: 'KeyQ' })), false);
});

test('long text is split without breaking surrogate pairs', () => {
  assert.deepEqual(splitText('', 3), []);
  assert.deepEqual(splitText('abcdefg', 3), ['abc', 'def', 'g']);
  const emoji = 'ab😀cd'; // the emoji is two UTF-16 units at index 2 and 3
  assert.deepEqual(splitText(emoji, 3), ['ab', '😀c', 'd']);
  assert.equal(splitText('x'.repeat(5000), 1000).length, 5);
});
