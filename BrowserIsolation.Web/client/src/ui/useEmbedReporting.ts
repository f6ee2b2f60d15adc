import { useEffect } from 'react';
import { controlSummary, type CoBrowseState } from '../cobrowse/state';
import type { SoundState } from '../media/audio/SoundController';
import type { ViewerState } from '../session/ViewerState';

/** The `audio` part of the state report (volume 0-1, as in the host's `audio` command). Pure. */
export function audioReport(sound: Pick<SoundState, 'state' | 'muted' | 'volume' | 'hearing' | 'blocked' | 'available' | 'allowedByPolicy'>) {
  return {
    state: sound.state,
    muted: sound.muted,
    volume: sound.volume / 100,
    hearing: sound.hearing,
    blocked: sound.blocked,
    available: sound.available,
    allowedByPolicy: sound.allowedByPolicy,
  };
}

/**
 * In an iframe, tells the host page what happens (status, connection, who has control, how many people, sound), so a
 * meeting plugin can react. Nothing secret is posted: no token, no URL of the remote page.
 */
export function useEmbedReporting(embed: boolean, state: ViewerState, co: CoBrowseState, sound: SoundState): void {
  const holder = co.control.holder;
  const mine = holder !== null && holder === co.me?.participantId;
  const summary = controlSummary(co);
  const { state: soundShown, muted, volume, hearing, blocked, available, allowedByPolicy } = sound;
  useEffect(() => {
    if (!embed || window.parent === window) return;
    window.parent.postMessage(
      {
        source: 'browserisolation',
        type: 'state',
        status: state.status,
        connection: state.connection,
        ended: state.ended,
        removed: !!state.removed,
        control: { mode: co.control.mode, mine, summary },
        participants: co.participants.length,
        audio: audioReport({ state: soundShown, muted, volume, hearing, blocked, available, allowedByPolicy }),
      },
      '*',
    );
  }, [embed, state.status, state.connection, state.ended, state.removed, co.control.mode, mine, summary, co.participants.length,
    soundShown, muted, volume, hearing, blocked, available, allowedByPolicy]);
}
