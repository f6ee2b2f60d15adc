import { useSyncExternalStore } from 'react';
import { initialSoundState, type SoundController, type SoundState } from '../media/audio/SoundController';

const noSubscribe = () => () => undefined;
const initial = () => initialSoundState;

/** The sound state of a viewer (initial until the session is open). */
export function useSound(sound: SoundController | null): SoundState {
  return useSyncExternalStore(sound?.store.subscribe ?? noSubscribe, sound?.store.get ?? initial);
}
