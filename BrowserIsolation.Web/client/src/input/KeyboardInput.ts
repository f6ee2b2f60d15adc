import type { InputSink } from '../protocol/input';
import { isCompositionKey, isPasteShortcut, isReleaseShortcut, isUnidentifiedKey, modifierMask } from './keyboard';

/**
 * Keyboard and text for the remote page, read from a hidden textarea that holds focus while the
 * view is active. Keys go as keydown/keyup (default prevented, so Ctrl+L, Tab or Backspace never act
 * on this page); IME compositions, dead keys, virtual keyboards and paste arrive as `text`.
 */
export class KeyboardInput {
  /** Keys sent down and not yet up, by code: released on blur so nothing sticks remotely. */
  private readonly down = new Map<string, { key: string; modifiers: number }>();
  private readonly listeners: [string, EventListener][];

  constructor(
    private readonly sink: HTMLTextAreaElement,
    private readonly send: InputSink,
    /** The release shortcut was pressed: the caller moves focus elsewhere. */
    private readonly onRelease: () => void,
  ) {
    this.listeners = [
      ['keydown', this.onKeyDown as EventListener],
      ['keyup', this.onKeyUp as EventListener],
      ['compositionend', this.onCompositionEnd as EventListener],
      ['input', this.onInput as EventListener],
      ['paste', this.onPaste as EventListener],
      ['blur', this.releaseAll],
    ];
  }

  attach(): void {
    for (const [type, listener] of this.listeners) this.sink.addEventListener(type, listener);
  }

  detach(): void {
    for (const [type, listener] of this.listeners) this.sink.removeEventListener(type, listener);
    this.releaseAll();
  }

  private readonly onKeyDown = (e: KeyboardEvent) => {
    if (isReleaseShortcut(e)) {
      e.preventDefault();
      this.onRelease();
      return;
    }
    if (isCompositionKey(e) || isUnidentifiedKey(e) || isPasteShortcut(e)) return;
    e.preventDefault();
    const id = e.code || e.key;
    const modifiers = modifierMask(e);
    this.down.set(id, { key: e.key, modifiers });
    this.send({ type: 'keydown', key: e.key, code: e.code, modifiers });
  };

  private readonly onKeyUp = (e: KeyboardEvent) => {
    const id = e.code || e.key;
    if (!this.down.has(id)) return;
    e.preventDefault();
    this.down.delete(id);
    this.send({ type: 'keyup', key: e.key, code: e.code, modifiers: modifierMask(e) });
  };

  private readonly onCompositionEnd = (e: CompositionEvent) => {
    if (e.data) this.sendText(e.data);
    this.sink.value = '';
  };

  private readonly onInput = (e: InputEvent) => {
    if (e.isComposing) return;
    switch (e.inputType) {
      case 'insertText':
      case 'insertReplacementText': {
        const text = e.data ?? this.sink.value;
        if (text) this.sendText(text);
        break;
      }
      case 'insertLineBreak':
      case 'insertParagraph':
        this.tap('Enter', 'Enter');
        break;
      case 'deleteContentBackward':
        this.tap('Backspace', 'Backspace');
        break;
      default:
        // Compositions end in compositionend; pastes in the paste event.
        break;
    }
    this.sink.value = '';
  };

  private readonly onPaste = (e: ClipboardEvent) => {
    e.preventDefault();
    const text = e.clipboardData?.getData('text/plain');
    if (text) this.sendText(text);
  };

  private readonly releaseAll = () => {
    for (const [code, { key, modifiers }] of this.down) this.send({ type: 'keyup', key, code, modifiers });
    this.down.clear();
  };

  /** Long pastes go in pieces: the runner caps one text message (4096 characters). */
  private sendText(text: string): void {
    for (const piece of splitText(text, 1000)) this.send({ type: 'text', text: piece });
  }

  private tap(key: string, code: string): void {
    this.send({ type: 'keydown', key, code, modifiers: 0 });
    this.send({ type: 'keyup', key, code, modifiers: 0 });
  }
}

/** Splits text into pieces of at most `max` UTF-16 units without cutting a surrogate pair. */
export function splitText(text: string, max: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + max);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}
