import { activateTab, closeTab, goBack, goForward, navigateTo, openTab, reload } from '../api/browser';
import { dismissChooser, putControlSettings, removeParticipant, setRole, uploadFiles } from '../api/participants';
import { ApiError, describeError } from '../api/problem';
import type { SessionRef } from '../api/sessions';
import type { StreamController } from '../media/StreamController';
import type { ControlSocket } from '../net/ControlSocket';
import type { ControlAction } from '../protocol/cobrowse';
import type { ControlMode, Role, ServerEvent, ViewportMode } from '../protocol/events';
import type { InputMessage } from '../protocol/input';
import { Store } from '../session/Store';
import { parseTargetUrl } from '../targetUrl';
import { Presence } from './presence';
import { QualityReporter } from './QualityReporter';
import { applyEvent, describeChange, initialCoBrowseState, mayInput, nameOf, type CoBrowseState } from './state';
import { ViewportReporter } from './ViewportReporter';

const maxNotices = 3;

/** Refusals that are about control or policy, shown as a notice rather than an error. */
const gentleCodes = new Set(['no_control', 'forbidden', 'paste_blocked', 'copy_blocked', 'upload_blocked', 'not_in_control', 'viewer_cannot_control']);

/**
 * The co-browsing side of one viewer: presence and control from the socket's events, the commands of the participants
 * panel, tab strip and address bar (REST with this participant's token), clipboard both ways, file uploads, the
 * owner-following viewport and quality reports. UI-free; React reads `store` and `presence`.
 */
export class CoBrowseSession {
  readonly store = new Store<CoBrowseState>(initialCoBrowseState);
  readonly presence = new Presence();

  private readonly quality: QualityReporter;
  private readonly viewport: ViewportReporter;
  private readonly pruneTimer: ReturnType<typeof setInterval>;
  private noticeSeq = 0;
  private readonly lastRefusal = new Map<string, number>();

  constructor(
    private readonly ref: SessionRef,
    private readonly socket: ControlSocket,
    stream: StreamController,
    stage: HTMLElement,
    private readonly onRemoved: (message: string) => void,
  ) {
    this.quality = new QualityReporter(socket, stream);
    this.viewport = new ViewportReporter(stage, (m) => socket.send(m));
    this.pruneTimer = setInterval(() => this.presence.prune(), 250);
  }

  start(): void {
    this.quality.start();
  }

  dispose(): void {
    this.quality.stop();
    this.viewport.enable(false);
    clearInterval(this.pruneTimer);
    this.presence.clear();
  }

  /** Every server event passes here; returns true when it was about co-browsing only. */
  handle(event: ServerEvent): boolean {
    const before = this.store.get();
    const after = applyEvent(before, event);
    if (after !== before) this.store.patch(after);
    switch (event.type) {
      case 'cursor':
      case 'click':
        this.presence.apply(event);
        return true;
      case 'left':
        this.presence.forget(event.participantId);
        if (event.reason === 'removed' && event.participantId !== after.me?.participantId) this.notify(`${event.name || 'Someone'} was removed.`);
        return true;
      case 'joined':
        this.notify(`${event.participant.name} joined.`);
        return true;
      case 'control': {
        const text = describeChange(after, event.change.action, event.change.participantId, event.change.by, event.change.previous);
        if (text) this.notify(text);
        return true;
      }
      case 'removed':
        this.onRemoved(event.message);
        return true;
      case 'clipboard':
        void this.copyToLocal(event.text);
        return true;
      case 'error':
        if (event.code && gentleCodes.has(event.code)) {
          this.refused(event.code, event.message);
          return true;
        }
        return false;
      case 'participants':
      case 'viewport':
      case 'hello':
        this.syncViewportReporting();
        return false;
      default:
        return false;
    }
  }

  /**
   * Whether an input message should go out. Moves always do (they are this participant's cursor for the others);
   * presses, keys and scrolls only with control (or while nobody holds it); pastes only when the policy allows.
   */
  admit(message: InputMessage): boolean {
    const state = this.store.get();
    if (message.type === 'mousemove') return true;
    if (message.type === 'paste' && !state.policy.allowPasteIn) {
      this.refused('paste_blocked', 'Pasting into the remote browser is turned off for this session.');
      return false;
    }
    if (!mayInput(state)) {
      this.refused(state.me?.role === 'viewer' ? 'forbidden' : 'no_control', '');
      return false;
    }
    return true;
  }

  pointerLeft(): void {
    this.socket.send({ type: 'cursor', hidden: true });
  }

  // Control (over the socket: the runner decides at once and tells everyone).
  control(action: ControlAction, participantId?: string): void {
    this.socket.send(participantId ? { type: 'control', action, participantId } : { type: 'control', action });
  }

  setControlMode(mode: ControlMode): void {
    this.socket.send({ type: 'control', action: 'mode', mode });
  }

  setViewportMode(mode: ViewportMode): void {
    this.socket.send({ type: 'viewport-mode', mode });
  }

  setIdleTimeout(seconds: number): Promise<boolean> {
    return this.run(() => putControlSettings(this.ref, { idleTimeoutSeconds: seconds }));
  }

  // Participants (REST: the store records roles and removals for every replica).
  setRole(participantId: string, role: Role): Promise<boolean> {
    return this.run(() => setRole(this.ref, participantId, role));
  }

  remove(participantId: string): Promise<boolean> {
    return this.run(() => removeParticipant(this.ref, participantId));
  }

  // The browser (REST control API; needs control).
  navigate(text: string): Promise<boolean> {
    const parsed = parseTargetUrl(text);
    if (!parsed.ok) {
      this.notify(parsed.message, 'warn');
      return Promise.resolve(false);
    }
    return this.run(() => navigateTo(this.ref, parsed.url));
  }

  back = () => this.run(() => goBack(this.ref));
  forward = () => this.run(() => goForward(this.ref));
  reload = () => this.run(() => reload(this.ref));
  openTab = () => this.run(() => openTab(this.ref));
  activateTab = (tabId: string) => this.run(() => activateTab(this.ref, tabId));
  closeTab = (tabId: string) => this.run(() => closeTab(this.ref, tabId));

  // File chooser.
  async upload(files: readonly File[]): Promise<void> {
    const chooser = this.store.get().chooser;
    if (!chooser || files.length === 0) return;
    if (await this.run(() => uploadFiles(this.ref, chooser.id, chooser.multiple ? files : files.slice(0, 1)))) {
      this.store.patch({ chooser: null });
      this.notify(files.length === 1 ? `Uploaded ${files[0].name}.` : `Uploaded ${files.length} files.`);
    }
  }

  dismissChooser(): void {
    const chooser = this.store.get().chooser;
    if (!chooser) return;
    this.store.patch({ chooser: null });
    void dismissChooser(this.ref, chooser.id).catch(() => undefined);
  }

  /** From a click on the notice: the browser allows clipboard writes during a user gesture. */
  async copyRemoteClipboard(): Promise<void> {
    const text = this.store.get().remoteClipboard;
    if (text !== null) await this.copyToLocal(text);
  }

  private async copyToLocal(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.notify('Copied from the remote page to your clipboard.');
    } catch {
      this.notify('Text was copied in the remote page. Use "Copy" to put it on your clipboard.', 'info', 'copy');
    }
  }

  private syncViewportReporting(): void {
    const state = this.store.get();
    this.viewport.enable(state.viewportMode === 'follow-owner' && state.me?.role === 'owner');
  }

  private refused(code: string, message: string): void {
    // Every refused click would repeat this; once a second per kind is plenty.
    const now = Date.now();
    if (now - (this.lastRefusal.get(code) ?? -Infinity) < 1000) return;
    this.lastRefusal.set(code, now);
    const state = this.store.get();
    const text =
      code === 'forbidden' ? 'You are watching: a viewer cannot use the page.'
      : code === 'no_control' ? `${capitalize(nameOf(state, state.control.holder))} has control. Ask for control to use the page.`
      : message || 'The server refused that.';
    this.notify(text, 'warn');
  }

  /** Runs a REST command; a failure becomes a notice. True when it worked. */
  private async run(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      const text = error instanceof ApiError && error.code && gentleCodes.has(error.code)
        ? error.code === 'no_control' ? `${capitalize(nameOf(this.store.get(), this.store.get().control.holder))} has control. Ask for control first.` : error.describe()
        : describeError(error);
      this.notify(text, 'warn');
      return false;
    }
  }

  notify(text: string, kind: 'info' | 'warn' = 'info', action?: 'copy'): void {
    const notices = [...this.store.get().notices, { text, kind, seq: ++this.noticeSeq, action }].slice(-maxNotices);
    this.store.patch({ notices });
  }

  /** A notice went away (its time ran out, or it was used). */
  dismissNotice(seq: number): void {
    const notices = this.store.get().notices;
    if (notices.some((n) => n.seq === seq)) this.store.patch({ notices: notices.filter((n) => n.seq !== seq) });
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
