import { ApiError, describeError } from '../api/problem';
import { deleteSession, getSession, sessionSocketUrl, type SessionInfo, type SessionRef } from '../api/sessions';
import { waitForSession } from '../api/waitForSession';
import type { ClientConfig } from '../config';
import { clientToViewport, containedContentRect, intrinsicSize, viewportToClient, type Size } from '../input/coordinates';
import { KeyboardInput } from '../input/KeyboardInput';
import { PointerInput } from '../input/PointerInput';
import { AudioOutput } from '../media/audio/AudioOutput';
import { SoundController } from '../media/audio/SoundController';
import { JpegTransport } from '../media/JpegTransport';
import { StreamController } from '../media/StreamController';
import { WebRtcTransport } from '../media/WebRtcTransport';
import { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import { ControlSocket } from '../net/ControlSocket';
import type { InputMessage } from '../protocol/input';
import type { ServerEvent } from '../protocol/events';
import { Store } from './Store';
import { initialViewerState, type ViewerState } from './ViewerState';

export interface ViewerElements {
  /** The box that receives pointer input and holds both picture elements. */
  surface: HTMLElement;
  canvas: HTMLCanvasElement;
  video: HTMLVideoElement;
  /** Plays the WebRTC sound (the fallback's sound goes through an AudioContext). */
  audio: HTMLAudioElement;
  /** Hidden textarea that owns keyboard focus while the view is active. */
  keySink: HTMLTextAreaElement;
  /** Where focus goes when the user releases the keyboard. */
  releaseTarget: () => HTMLElement | null;
}

/**
 * One open viewer: waits for the session, opens the control socket, picks the media transport
 * and wires input. UI-free; React reads `store` and calls the commands.
 */
export class ViewerSession {
  readonly store = new Store<ViewerState>(initialViewerState);

  private readonly abort = new AbortController();
  private socket: ControlSocket | null = null;
  private jpeg: JpegTransport | null = null;
  private stream: StreamController | null = null;
  private pointer: PointerInput | null = null;
  private keyboard: KeyboardInput | null = null;
  private cobrowseSession: CoBrowseSession | null = null;
  private soundController: SoundController | null = null;
  private viewport: Size | null = null;
  private errorSeq = 0;
  private disposed = false;

  constructor(
    private readonly ref: SessionRef,
    private readonly elements: ViewerElements,
    private readonly config: ClientConfig,
  ) {}

  async start(): Promise<void> {
    let info: SessionInfo;
    try {
      info = await waitForSession(this.ref, {
        signal: this.abort.signal,
        timeoutMs: this.config.startTimeoutMs,
        onPoll: (i) => this.store.patch({ status: i.status, url: i.url ?? '' }),
      });
    } catch (error) {
      if (this.disposed) return;
      const gone = error instanceof ApiError && error.status === 404;
      if (gone) this.store.patch({ status: 'gone' });
      this.end(gone ? 'This session does not exist (it may have ended).' : describeError(error));
      return;
    }
    if (this.disposed) return;
    this.store.patch({ status: info.status, url: info.url ?? '' });
    if (info.status !== 'ready') {
      this.end(info.status === 'error' ? `The session failed: ${info.error ?? 'unknown error'}` : 'This session has ended.');
      return;
    }
    if (info.width && info.height) this.setViewport({ width: info.width, height: info.height });
    this.open();
  }

  /** Ends the session on the server, then closes everything here. */
  async endSession(): Promise<void> {
    try {
      await deleteSession(this.ref);
    } catch (error) {
      // Already gone is fine: the goal was for it to be gone.
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 410))) throw error;
    }
    this.dispose();
  }

  /** Co-browsing (participants, control, tabs); null until the session is open. */
  get cobrowse(): CoBrowseSession | null {
    return this.cobrowseSession;
  }

  /** Sound (the speaker button, volume, autoplay); null until the session is open. */
  get sound(): SoundController | null {
    return this.soundController;
  }

  /** The paste button: the local clipboard into the remote page (the browser asks for permission). */
  async pasteFromClipboard(): Promise<void> {
    let text: string;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      this.cobrowseSession?.notify('This browser did not let the page read your clipboard: press Ctrl+V (or ⌘V) in the page instead.', 'warn');
      return;
    }
    if (text) this.keyboard?.paste(text);
    this.focus();
  }

  /** Touch devices: focusing the key sink from a tap opens the on-screen keyboard. */
  showKeyboard(): void {
    const { keySink, surface } = this.elements;
    const box = surface.getBoundingClientRect();
    keySink.style.left = `${box.width / 2}px`;
    keySink.style.top = `${box.height / 2}px`;
    keySink.focus();
  }

  retryWebRtc(): void {
    this.stream?.tryWebRtc();
    this.syncStream();
  }

  dismissError(): void {
    this.store.patch({ error: null });
  }

  /** Gives keyboard focus to the remote view. */
  focus(): void {
    this.elements.keySink.focus({ preventScroll: true });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    this.pointer?.detach();
    this.keyboard?.detach();
    this.cobrowseSession?.dispose();
    this.soundController?.dispose();
    this.stream?.dispose();
    this.socket?.close();
  }

  private open(): void {
    const { surface, canvas, video, audio, keySink } = this.elements;
    const socket = new ControlSocket({ url: sessionSocketUrl(this.ref), shouldReconnect: () => this.shouldReconnect() });
    this.socket = socket;
    socket.onState.on((connection) => this.store.patch({ connection }));
    socket.onEvent.on((event) => this.onServerEvent(event));

    this.jpeg = new JpegTransport(canvas, socket);
    if (this.viewport) this.jpeg.setViewport(this.viewport);
    this.stream = new StreamController({
      mode: this.config.transport,
      rtcTimeoutMs: this.config.rtcTimeoutMs,
      jpeg: this.jpeg,
      createWebRtc: () => new WebRtcTransport(video, this.ref),
      socketFrames: socket.onFrame,
    });
    this.stream.onChange.on(() => this.syncStream());
    this.jpeg.onStatus.on((s) => {
      if (s.state === 'failed' && s.detail) this.showError(s.detail);
    });

    const cobrowse = new CoBrowseSession(this.ref, socket, this.stream, surface, (message) => this.removed(message));
    this.cobrowseSession = cobrowse;
    this.soundController = new SoundController(socket, this.stream, new AudioOutput(audio), (text) => cobrowse.notify(text, 'warn'));
    const send = (message: InputMessage) => cobrowse.admit(message) && socket.send(message);
    this.pointer = new PointerInput(surface, (x, y) => this.mapPoint(x, y), send, (x, y) => this.onPress(x, y), () => this.viewport?.height ?? 720,
      () => this.scale(), () => cobrowse.pointerLeft());
    this.keyboard = new KeyboardInput(keySink, send, () => this.elements.releaseTarget()?.focus());
    this.pointer.attach();
    this.keyboard.attach();

    this.soundController.start();
    socket.connect();
    cobrowse.start();
    this.stream.start();
    this.syncStream();
    // The page exists to use the remote page: keys go there from the start.
    this.focus();
  }

  private mapPoint(clientX: number, clientY: number) {
    const viewport = this.viewport;
    const element = this.stream?.activeElement;
    if (!viewport || !element) return null;
    const content = containedContentRect(element.getBoundingClientRect(), intrinsicSize(element, viewport));
    return clientToViewport(clientX, clientY, content, viewport);
  }

  /** Where a remote viewport point shows, relative to the picture surface (letterbox-aware), for the cursor overlay. */
  viewportToSurface(x: number, y: number): { left: number; top: number } | null {
    const viewport = this.viewport;
    const element = this.stream?.activeElement;
    if (!viewport || !element) return null;
    const content = containedContentRect(element.getBoundingClientRect(), intrinsicSize(element, viewport));
    if (content.width <= 0) return null;
    const { clientX, clientY } = viewportToClient(x, y, content, viewport);
    const box = this.elements.surface.getBoundingClientRect();
    return { left: clientX - box.left, top: clientY - box.top };
  }

  /** Remote viewport pixels per client pixel of the picture as shown. */
  private scale(): number {
    const viewport = this.viewport;
    const element = this.stream?.activeElement;
    if (!viewport || !element) return 1;
    const content = containedContentRect(element.getBoundingClientRect(), intrinsicSize(element, viewport));
    return content.width > 0 ? viewport.width / content.width : 1;
  }

  /** Focus the key sink and put it under the pointer, so an IME candidate window opens there. */
  private onPress(clientX: number, clientY: number): void {
    const { surface, keySink } = this.elements;
    const box = surface.getBoundingClientRect();
    keySink.style.left = `${clientX - box.left}px`;
    keySink.style.top = `${clientY - box.top}px`;
    this.focus();
  }

  private onServerEvent(event: ServerEvent): void {
    this.soundController?.handle(event);
    if (this.cobrowseSession?.handle(event)) return;
    switch (event.type) {
      case 'hello':
      case 'viewport':
        this.setViewport({ width: event.width, height: event.height });
        break;
      case 'status':
        this.store.patch({ status: event.status });
        if (event.status === 'terminated') this.end('The session has ended.');
        else if (event.status === 'error') this.end(`The session failed: ${event.error ?? 'unknown error'}`);
        break;
      case 'navigation':
        this.store.patch({ url: event.url, title: event.title });
        break;
      case 'error':
        this.showError(event.code ? `${event.message} (${event.code})` : event.message);
        break;
    }
  }

  private setViewport(size: Size): void {
    this.viewport = size;
    this.jpeg?.setViewport(size);
    this.store.patch({ viewport: size });
  }

  private syncStream(): void {
    const stream = this.stream;
    if (!stream) return;
    const s = stream.state;
    this.store.patch({ transport: s.active, rtc: s.rtc, transportNote: s.note, fps: s.fps, pictureShown: s.pictureShown, canRetryWebRtc: stream.canRetryWebRtc });
  }

  /** Before a reconnect: only if the session still runs. Network errors mean "try again later". */
  private async shouldReconnect(): Promise<boolean> {
    if (this.disposed || this.store.get().ended) return false;
    try {
      const info = await getSession(this.ref, this.abort.signal);
      if (info.status === 'ready' || info.status === 'pending') return true;
      this.store.patch({ status: info.status });
      this.end(info.status === 'error' ? `The session failed: ${info.error ?? 'unknown error'}` : 'The session has ended.');
      return false;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.store.patch({ status: 'gone' });
        this.end('The session no longer exists.');
        return false;
      }
      if (error instanceof ApiError && error.code === 'token_revoked') {
        this.removed('You were removed from this session.');
        return false;
      }
      if (error instanceof ApiError && error.status === 401) {
        this.end(`You can no longer join this session: ${error.describe()}`);
        return false;
      }
      throw error;
    }
  }

  private removed(message: string): void {
    this.store.patch({ removed: true });
    this.end(message);
  }

  private end(reason: string): void {
    if (this.store.get().ended) return;
    this.store.patch({ ended: true, endReason: reason });
    this.pointer?.detach();
    this.keyboard?.detach();
    this.cobrowseSession?.dispose();
    this.soundController?.dispose();
    this.stream?.dispose();
    this.socket?.close();
    this.syncStream();
  }

  private showError(message: string): void {
    this.store.patch({ error: { message, seq: ++this.errorSeq } });
  }
}
