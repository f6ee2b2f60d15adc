/** The user's sound settings, remembered per browser. */
export interface SoundPrefs {
  muted: boolean;
  /** 0-100. */
  volume: number;
}

/** Where the settings live (window.localStorage in the browser). */
export interface PrefsStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const defaultSoundPrefs: SoundPrefs = { muted: false, volume: 100 };

const key = 'bi.sound';

export function clampVolume(volume: number): number {
  return Number.isFinite(volume) ? Math.min(100, Math.max(0, Math.round(volume))) : defaultSoundPrefs.volume;
}

function localStore(): PrefsStorage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

export function loadSoundPrefs(storage: PrefsStorage | undefined = localStore()): SoundPrefs {
  try {
    const data: unknown = JSON.parse(storage?.getItem(key) ?? 'null');
    if (typeof data !== 'object' || data === null) return defaultSoundPrefs;
    const { muted, volume } = data as Record<string, unknown>;
    return {
      muted: typeof muted === 'boolean' ? muted : defaultSoundPrefs.muted,
      volume: typeof volume === 'number' ? clampVolume(volume) : defaultSoundPrefs.volume,
    };
  } catch {
    return defaultSoundPrefs;
  }
}

export function saveSoundPrefs(prefs: SoundPrefs, storage: PrefsStorage | undefined = localStore()): void {
  try {
    storage?.setItem(key, JSON.stringify({ muted: prefs.muted, volume: clampVolume(prefs.volume) }));
  } catch {
    // Private mode or a full quota: the setting lasts for this page only.
  }
}
