import { useRef } from 'react';
import type { SoundController } from '../media/audio/SoundController';
import { SpeakerIcon } from './SpeakerIcon';
import { useLocalPointer } from './useLocalPointer';

/** Over the picture while the browser's autoplay rules hold the sound back: one click (a user gesture) starts it. */
export function SoundUnblockButton({ sound }: { sound: SoundController }) {
  const button = useRef<HTMLButtonElement>(null);
  useLocalPointer(button);
  return (
    <button ref={button} type="button" className="sound-unblock" data-testid="sound-unblock" data-sound-control="" onClick={() => sound.unblock()}>
      <SpeakerIcon variant="off" />
      Click for sound
    </button>
  );
}
