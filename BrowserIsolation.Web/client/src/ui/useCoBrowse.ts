import { useSyncExternalStore } from 'react';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import { initialCoBrowseState, type CoBrowseState } from '../cobrowse/state';

const noSubscribe = () => () => undefined;
const initial = () => initialCoBrowseState;

/** The co-browsing state of a viewer (initial until the session is open). */
export function useCoBrowse(session: CoBrowseSession | null): CoBrowseState {
  return useSyncExternalStore(session?.store.subscribe ?? noSubscribe, session?.store.get ?? initial);
}
