import { useId } from 'react';
import type { SoundController, SoundState } from '../media/audio/SoundController';
import { SpeakerIcon } from './SpeakerIcon';

const stateText: Record<SoundState['state'], string> = {
  unavailable: 'No sound',
  'policy-off': 'Sound is off by policy',
  blocked: 'Sound is blocked: click to start it',
  muted: 'Sound is muted',
  on: 'Sound is on',
};

/**
 * The speaker button (a "Mute" toggle: `aria-pressed` is true while muted) and the volume slider, 0-100. Its
 * `data-state` is the truth: `unavailable|policy-off|blocked|muted|on`; `data-hearing` says whether sound plays.
 */
export function SoundControl({ sound, state }: { sound: SoundController; state: SoundState }) {
  const statusId = useId();
  const disabled = state.state === 'unavailable' || state.state === 'policy-off';
  const status = state.reason ?? (state.state === 'on' && !state.hearing ? 'Starting sound…' : stateText[state.state]);
  const variant = disabled ? 'none' : state.state === 'on' ? 'on' : 'off';
  return (
    <div className="sound-control" data-testid="sound-control" data-sound-control="" role="group" aria-label="Sound">
      <button
        type="button"
        className={`button button--ghost button--icon sound-control__toggle sound-control__toggle--${state.state}`}
        data-testid="sound-toggle"
        data-state={state.state}
        data-hearing={state.hearing}
        data-path={state.path}
        data-decode-errors={state.decodeErrors}
        aria-label="Mute"
        aria-pressed={state.muted}
        aria-describedby={statusId}
        title={disabled || state.state === 'blocked' ? status : state.muted ? 'Unmute' : 'Mute'}
        disabled={disabled}
        // Blocked: the click is the gesture the browser waits for; it starts sound rather than muting it.
        onClick={() => (state.state === 'blocked' ? sound.unblock() : sound.setMuted(!state.muted))}
      >
        <SpeakerIcon variant={variant} />
      </button>
      <input
        type="range"
        className="sound-control__volume"
        data-testid="sound-volume"
        min={0}
        max={100}
        step={1}
        value={state.volume}
        aria-label="Volume"
        aria-valuetext={`${state.volume} %${state.muted ? ' (muted)' : ''}`}
        disabled={disabled}
        onChange={(e) => {
          sound.setVolume(Number(e.target.value));
          if (state.state === 'blocked') sound.unblock();
        }}
      />
      <span id={statusId} className="visually-hidden" data-testid="sound-status" aria-live="polite">
        {status}
      </span>
    </div>
  );
}
