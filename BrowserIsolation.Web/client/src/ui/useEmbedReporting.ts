import { useEffect } from 'react';
import { controlSummary, type CoBrowseState } from '../cobrowse/state';
import type { ViewerState } from '../session/ViewerState';

/**
 * In an iframe, tells the host page what happens (status, connection, who has control, how many people), so a meeting
 * plugin can react. Nothing secret is posted: no token, no URL of the remote page.
 */
export function useEmbedReporting(embed: boolean, state: ViewerState, co: CoBrowseState): void {
  const holder = co.control.holder;
  const mine = holder !== null && holder === co.me?.participantId;
  const summary = controlSummary(co);
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
      },
      '*',
    );
  }, [embed, state.status, state.connection, state.ended, state.removed, co.control.mode, mine, summary, co.participants.length]);
}
