import { Modifier } from '../protocol/input';

/** CDP modifier bitmask of an event. AltGr (reported as Ctrl+Alt on Windows) is a character key, not a shortcut. */
export function modifierMask(e: KeyboardEvent | MouseEvent): number {
  const altGraph = e.getModifierState?.('AltGraph') ?? false;
  let mask = 0;
  if (e.altKey && !altGraph) mask |= Modifier.Alt;
  if (e.ctrlKey && !altGraph) mask |= Modifier.Ctrl;
  if (e.metaKey) mask |= Modifier.Meta;
  if (e.shiftKey) mask |= Modifier.Shift;
  return mask;
}

/** Keys that are part of an IME composition or a dead-key sequence: the text arrives later as `text`. */
export function isCompositionKey(e: KeyboardEvent): boolean {
  return e.isComposing || e.keyCode === 229 || e.key === 'Process' || e.key === 'Dead';
}

/** Virtual keyboards (Android) send "Unidentified"; their result arrives through `input` events. */
export function isUnidentifiedKey(e: KeyboardEvent): boolean {
  return e.key === 'Unidentified' || e.key === '';
}

/** Paste uses the local clipboard: let the browser raise the paste event instead of sending the keys. */
export function isPasteShortcut(e: KeyboardEvent): boolean {
  const mask = modifierMask(e);
  const primary = mask === Modifier.Ctrl || mask === Modifier.Meta || mask === (Modifier.Ctrl | Modifier.Shift) || mask === (Modifier.Meta | Modifier.Shift);
  return (primary && e.code === 'KeyV') || (mask === Modifier.Shift && e.key === 'Insert');
}

/** Moves keyboard focus out of the remote view without sending anything: Ctrl+Alt+Shift+Q. */
export function isReleaseShortcut(e: KeyboardEvent): boolean {
  return e.ctrlKey && e.altKey && e.shiftKey && e.code === 'KeyQ';
}

export const releaseShortcutLabel = 'Ctrl+Alt+Shift+Q';
