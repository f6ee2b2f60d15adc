import type { ParticipantInfo } from '../protocol/events';
import type { CoBrowseState } from './state';

export type SelfAction = 'request' | 'cancel' | 'release' | 'take';
export type OtherAction = 'grant' | 'deny' | 'revoke' | 'make-controller' | 'make-viewer' | 'remove';

/** The control buttons this participant gets for itself. Pure. */
export function selfActions(state: CoBrowseState): SelfAction[] {
  const me = state.me;
  if (!me || me.role === 'viewer' || state.control.mode === 'shared') return [];
  if (state.control.holder === me.participantId) return ['release'];
  // An owner takes control outright (also while nobody has it); a controller asks (granted at once while it is free).
  if (me.role === 'owner') return ['take'];
  return state.control.requests.includes(me.participantId) ? ['cancel'] : ['request'];
}

/** The buttons this participant gets on someone else's row in the participants panel. Pure. */
export function otherActions(state: CoBrowseState, target: ParticipantInfo): OtherAction[] {
  const me = state.me;
  if (!me || target.participantId === me.participantId) return [];
  const owner = me.role === 'owner';
  const holder = state.control.holder === me.participantId;
  const exclusive = state.control.mode === 'exclusive';
  const actions: OtherAction[] = [];
  if (exclusive && (owner || holder) && target.role !== 'viewer' && target.connected && state.control.holder !== target.participantId) {
    actions.push('grant');
  }
  if (exclusive && (owner || holder) && target.requested) actions.push('deny');
  if (exclusive && owner && state.control.holder === target.participantId) actions.push('revoke');
  if (owner && target.role !== 'owner') {
    actions.push(target.role === 'viewer' ? 'make-controller' : 'make-viewer');
    actions.push('remove');
  }
  return actions;
}
