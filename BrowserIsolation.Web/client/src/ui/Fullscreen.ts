// Keyboard Lock is Chromium-only and not in the TypeScript DOM library yet.
interface KeyboardLock {
  lock(keyCodes?: string[]): Promise<void>;
  unlock(): void;
}

const keyboardLock = (): KeyboardLock | undefined => (navigator as Navigator & { keyboard?: KeyboardLock }).keyboard;

/**
 * Fullscreen for the remote view. In fullscreen, Keyboard Lock lets shortcuts that a page can
 * never otherwise catch (Ctrl+W, Ctrl+T, Alt+Tab on some systems) reach the remote page.
 */
export async function toggleFullscreen(element: HTMLElement): Promise<void> {
  if (document.fullscreenElement) {
    keyboardLock()?.unlock();
    await document.exitFullscreen();
    return;
  }
  await element.requestFullscreen({ navigationUI: 'hide' });
  await keyboardLock()?.lock().catch(() => undefined);
}
