import type { ControlInfo, ParticipantInfo, PolicyEvent, Quality, Role, ServerEvent, TabInfo, ViewportMode } from '../protocol/events';

export interface Me { participantId: string; role: Role; name: string }

export interface FileChooserRequest { id: string; multiple: boolean; accept?: string }

export interface Notice {
  text: string;
  /** Increases with each notice, so the same text twice still shows as new. */
  seq: number;
  kind: 'info' | 'warn';
  /** A button the notice offers. */
  action?: 'copy';
}

/** Everything co-browsing adds to the viewer: who is here, who drives, the browser's tabs and what the policy allows. */
export interface CoBrowseState {
  me: Me | null;
  participants: ParticipantInfo[];
  control: ControlInfo;
  quality: Record<string, Quality>;
  tabs: TabInfo[];
  canGoBack: boolean;
  canGoForward: boolean;
  policy: Omit<PolicyEvent, 'type'>;
  viewportMode: ViewportMode;
  chooser: FileChooserRequest | null;
  /** The newest text copied in the remote page (for the "copy" fallback when the local clipboard refused). */
  remoteClipboard: string | null;
  /** The latest notices, oldest first (a few at most: a refusal must not be hidden by the event that follows it). */
  notices: Notice[];
}

export const initialCoBrowseState: CoBrowseState = {
  me: null,
  participants: [],
  control: { mode: 'exclusive', holder: null, controllers: [], requests: [], idleTimeoutMs: 0 },
  quality: {},
  tabs: [],
  canGoBack: false,
  canGoForward: false,
  policy: { allowCopyOut: true, allowPasteIn: true, allowUploads: true, allowDownloads: false, newTabUrl: 'about:blank', allowAudio: true },
  viewportMode: 'fixed',
  chooser: null,
  remoteClipboard: null,
  notices: [],
};

/** Applies one server event; returns the same object when nothing changed. Pure. */
export function applyEvent(state: CoBrowseState, event: ServerEvent): CoBrowseState {
  switch (event.type) {
    case 'hello':
      return event.participantId
        ? { ...state, me: { participantId: event.participantId, role: event.role ?? 'viewer', name: event.name ?? event.participantId } }
        : state;
    case 'participants': {
      const mine = state.me && event.participants.find((p) => p.participantId === state.me!.participantId);
      const quality = { ...state.quality };
      for (const p of event.participants) if (p.quality) quality[p.participantId] = p.quality;
      return {
        ...state,
        participants: event.participants,
        control: event.control,
        quality,
        me: mine && state.me ? { ...state.me, role: mine.role, name: mine.name } : state.me,
      };
    }
    case 'joined':
      return state.participants.some((p) => p.participantId === event.participant.participantId)
        ? state
        : { ...state, participants: [...state.participants, event.participant] };
    case 'left': {
      const quality = { ...state.quality };
      delete quality[event.participantId];
      return { ...state, participants: state.participants.filter((p) => p.participantId !== event.participantId), quality };
    }
    case 'control':
      return {
        ...state,
        control: event.control,
        participants: state.participants.map((p) => ({
          ...p,
          control: event.control.controllers.includes(p.participantId),
          requested: event.control.requests.includes(p.participantId),
        })),
      };
    case 'quality': {
      const quality: Record<string, Quality> = {};
      for (const q of event.participants) quality[q.participantId] = q;
      return { ...state, quality };
    }
    case 'tabs':
      return { ...state, tabs: event.tabs };
    case 'navigation':
      return {
        ...state,
        canGoBack: event.canGoBack ?? state.canGoBack,
        canGoForward: event.canGoForward ?? state.canGoForward,
        tabs: event.tabId ? state.tabs.map((t) => (t.tabId === event.tabId ? { ...t, url: event.url, title: event.title } : t)) : state.tabs,
      };
    case 'policy': {
      const { type: _type, ...policy } = event;
      return { ...state, policy };
    }
    case 'viewport':
      return event.mode && event.mode !== state.viewportMode ? { ...state, viewportMode: event.mode } : state;
    case 'file-chooser':
      return { ...state, chooser: { id: event.id, multiple: event.multiple, accept: event.accept } };
    case 'file-chooser-closed':
      return state.chooser?.id === event.id ? { ...state, chooser: null } : state;
    case 'clipboard':
      return { ...state, remoteClipboard: event.text };
    default:
      return state;
  }
}

/** Whether this participant's input reaches the page now (or would take control, while nobody holds it). */
export function mayInput(state: CoBrowseState): boolean {
  const me = state.me;
  if (!me) return true; // before hello: let the server decide
  if (me.role === 'viewer') return false;
  const { mode, holder } = state.control;
  return mode === 'shared' || holder === null || holder === me.participantId;
}

export function nameOf(state: CoBrowseState, participantId: string | null): string {
  if (!participantId) return 'nobody';
  if (participantId === state.me?.participantId) return 'you';
  return state.participants.find((p) => p.participantId === participantId)?.name ?? 'someone';
}

/** One line about who drives, for the toolbar chip and screen readers. */
export function controlSummary(state: CoBrowseState): string {
  const { mode, holder } = state.control;
  if (mode === 'shared') return 'Shared control';
  if (!holder) return 'Nobody has control';
  return holder === state.me?.participantId ? 'You have control' : `${nameOf(state, holder)} has control`;
}

/** A short sentence for a control change, shown as a notice (null when not worth one). */
export function describeChange(state: CoBrowseState, action: string, participantId: string | null, by: string | null, previous: string | null): string | null {
  const me = state.me?.participantId;
  const who = (id: string | null) => nameOf(state, id);
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  switch (action) {
    case 'requested':
      return participantId === me ? 'You asked for control.' : `${cap(who(participantId))} asks for control.`;
    case 'granted':
      if (participantId === me) return by && by !== me ? `${cap(who(by))} gave you control.` : 'You have control.';
      return `${cap(who(participantId))} now has control.`;
    case 'taken':
      return previous === me ? `${cap(who(by))} took control back.` : `${cap(who(by))} took control.`;
    case 'released':
      return participantId ? `${cap(who(participantId))} now has control.` : by === me ? 'You released control.' : `${cap(who(by))} released control.`;
    case 'idle':
      return previous === me ? `You were idle: ${who(participantId)} ${participantId === me ? 'have' : 'has'} control now.` : `Control passed to ${who(participantId)} (idle).`;
    case 'revoked':
      return participantId === me ? 'An owner took control away from you.' : null;
    case 'denied':
      return participantId === me ? 'Your request for control was turned down.' : null;
    case 'mode':
      return state.control.mode === 'shared' ? 'Control is shared: every controller can drive.' : 'Control is exclusive again.';
    default:
      return null;
  }
}
