import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../api/problem';
import type { SessionRef } from '../api/sessions';
import { selfActions } from '../cobrowse/actions';
import { controlSummary, mayInput } from '../cobrowse/state';
import type { ClientConfig } from '../config';
import { releaseShortcutLabel } from '../input/keyboard';
import { Brand } from './Brand';
import { BrowserChrome } from './BrowserChrome';
import { CursorLayer } from './CursorLayer';
import { ErrorMessage } from './ErrorMessage';
import { FileChooserDialog } from './FileChooserDialog';
import { toggleFullscreen } from './Fullscreen';
import { NoticeToasts } from './NoticeToast';
import { PageInfo } from './PageInfo';
import { ParticipantsPanel } from './ParticipantsPanel';
import { SoundControl } from './SoundControl';
import { SoundUnblockButton } from './SoundUnblockButton';
import { StatusBar } from './StatusBar';
import { useCoBrowse } from './useCoBrowse';
import { useEmbedCommands } from './useEmbedCommands';
import { useEmbedReporting } from './useEmbedReporting';
import { useSound } from './useSound';
import { useViewerSession } from './useViewerSession';

interface ViewerPageProps {
  session: SessionRef;
  config: ClientConfig;
  /** Back to the start page, optionally with a message to show there. */
  onExit: (message?: string) => void;
}

const selfLabel = { request: 'Request control', cancel: 'Cancel request', release: 'Release control', take: 'Take control' } as const;

/**
 * The live remote page: a browser-like chrome (tabs, address bar), the picture with everyone's cursors, and the people
 * in the session beside it. With `embed`, only the picture and a small control button (for an iframe).
 */
export function ViewerPage({ session: ref, config, onExit }: ViewerPageProps) {
  const surface = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const keySink = useRef<HTMLTextAreaElement>(null);
  const endButton = useRef<HTMLButtonElement>(null);
  const [session, state] = useViewerSession(ref, config, { surface, canvas, video, audio, keySink, releaseTarget: endButton });
  const cobrowse = session?.cobrowse ?? null;
  const co = useCoBrowse(cobrowse);
  const sound = session?.sound ?? null;
  const soundState = useSound(sound);
  const [ending, setEnding] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);
  const [panelOpen, setPanelOpen] = useState(() => window.innerWidth >= 900);
  const toSurface = useCallback((x: number, y: number) => session?.viewportToSurface(x, y) ?? null, [session]);
  useEmbedReporting(config.embed, state, co, soundState);
  useEmbedCommands(config.embed, sound);

  useEffect(() => {
    document.title = state.title ? `${state.title} · BrowserIsolation` : 'BrowserIsolation';
    return () => {
      document.title = 'BrowserIsolation';
    };
  }, [state.title]);

  const isOwner = co.me ? co.me.role === 'owner' : true;

  async function endOrLeave() {
    if (!session || ending) return;
    if (state.ended || !isOwner) {
      session.dispose();
      onExit();
      return;
    }
    setEnding(true);
    try {
      await session.endSession();
      onExit();
    } catch (error) {
      setLocalError(`Could not end the session: ${describeError(error)}`);
      setEnding(false);
    }
  }

  const error = localError ?? state.error?.message ?? null;
  const showConnecting = !state.ended && !state.pictureShown;
  const hintId = `viewer-hint-${ref.sessionId}`;
  const canDrive = mayInput(co);

  const stage = (
    <div
      ref={surface}
      className="viewer"
      data-testid="viewer"
      data-transport={state.transport}
      data-ended={state.ended || undefined}
      data-can-drive={canDrive}
      aria-describedby={hintId}
    >
      {/* Muted: the video only shows the picture (muted autoplay is never refused); WebRTC sound plays in the <audio>. */}
      <video ref={video} className="viewer__screen viewer__screen--video" data-testid="screen-video" muted autoPlay playsInline disablePictureInPicture />
      <audio ref={audio} data-testid="remote-audio" />
      <canvas
        ref={canvas}
        className="viewer__screen viewer__screen--canvas"
        data-testid="screen-canvas"
        role="img"
        aria-label={state.title ? `Remote page: ${state.title}` : 'Remote page'}
      />
      <CursorLayer cobrowse={cobrowse} participants={co.participants} toSurface={toSurface} />
      <textarea
        ref={keySink}
        className="viewer__key-sink"
        data-testid="key-sink"
        aria-label="Keyboard input for the remote page"
        aria-describedby={hintId}
        autoCapitalize="off"
        autoComplete="off"
        autoCorrect="off"
        spellCheck={false}
        tabIndex={0}
      />
      <p id={hintId} className="visually-hidden">
        Click the page to use it. Keys and text go to the remote page while it has focus. Press {releaseShortcutLabel} to move focus back to the toolbar.
      </p>

      {showConnecting && (
        <div className="viewer__overlay" role="status">
          <span className="spinner" aria-hidden="true" />
          {state.status === 'pending' || state.status === 'loading' ? 'Waiting for the session…' : 'Connecting…'}
        </div>
      )}
      {!state.ended && state.pictureShown && state.connection === 'reconnecting' && (
        <div className="viewer__pill" role="status" data-testid="reconnecting">
          <span className="spinner spinner--small" aria-hidden="true" />
          Reconnecting…
        </div>
      )}
      {sound && soundState.state === 'blocked' && !state.ended && <SoundUnblockButton sound={sound} />}
      {cobrowse && co.chooser && !state.ended && <FileChooserDialog cobrowse={cobrowse} chooser={co.chooser} />}
      {state.ended && (
        <div className="viewer__overlay viewer__overlay--ended" role="alertdialog" aria-labelledby={`${hintId}-ended`}>
          <p id={`${hintId}-ended`} className="viewer__ended-text" data-testid="ended-reason" data-removed={state.removed || undefined}>
            {state.endReason}
          </p>
          {!config.embed && (
            <button type="button" className="button button--primary" data-testid="new-session-button" onClick={() => onExit()} autoFocus>
              Start a new session
            </button>
          )}
        </div>
      )}
      <NoticeToasts notices={co.notices} cobrowse={cobrowse} />
    </div>
  );

  if (config.embed) {
    const action = selfActions(co)[0];
    return (
      <div className="viewer-page viewer-page--embed" data-testid="embed-viewer">
        <main className="viewer-page__main">
          {stage}
          {!state.ended && (
            <div className="embed-bar">
              <span className="chip chip--control" data-testid="control-state" data-holder={co.control.holder ?? ''}>
                {controlSummary(co)}
              </span>
              {sound && <SoundControl sound={sound} state={soundState} />}
              {cobrowse && action && (
                <button type="button" className="button button--small button--primary" data-testid={`${action === 'cancel' ? 'cancel-request' : action}-control-button`}
                  onClick={() => cobrowse.control(action)}>
                  {selfLabel[action]}
                </button>
              )}
            </div>
          )}
        </main>
      </div>
    );
  }

  return (
    <div className="viewer-page">
      <header className="toolbar toolbar--viewer">
        <Brand compact />
        <BrowserChrome cobrowse={cobrowse} state={co} url={state.url} />
        <PageInfo title={state.title} url={state.url} />
        <div className="toolbar__actions">
          <StatusBar state={state} />
          {sound && !state.ended && <SoundControl sound={sound} state={soundState} />}
          {state.canRetryWebRtc && !state.ended && (
            <button type="button" className="button button--ghost" data-testid="retry-webrtc-button" onClick={() => session?.retryWebRtc()}>
              Retry WebRTC
            </button>
          )}
          {!state.ended && co.policy.allowPasteIn && canDrive && (
            <button type="button" className="button button--ghost button--icon" data-testid="paste-button" aria-label="Paste your clipboard into the page"
              title="Paste your clipboard into the page" onClick={() => void session?.pasteFromClipboard()}>
              <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M9 4h6v3H9zM7 5H5v16h14V5h-2" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
              </svg>
            </button>
          )}
          {!state.ended && canDrive && (
            <button type="button" className="button button--ghost button--icon" data-testid="keyboard-button" aria-label="On-screen keyboard"
              title="On-screen keyboard" onClick={() => session?.showKeyboard()}>
              <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
                <path d="M3 7h18v11H3zM6 10h1M9 10h1M12 10h1M15 10h1M18 10h0M7 14h10" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
              </svg>
            </button>
          )}
          <button
            type="button"
            className={`button button--ghost${panelOpen ? ' button--pressed' : ''}`}
            data-testid="people-button"
            aria-pressed={panelOpen}
            title="People in this session"
            onClick={() => setPanelOpen((open) => !open)}
          >
            People {co.participants.length > 0 && <span className="count">{co.participants.length}</span>}
          </button>
          <button
            type="button"
            className="button button--ghost button--icon"
            data-testid="fullscreen-button"
            aria-label="Fullscreen"
            title="Fullscreen"
            onClick={() => surface.current && void toggleFullscreen(surface.current).catch(() => undefined)}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">
              <path d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
            </svg>
          </button>
          <button
            ref={endButton}
            type="button"
            className={`button ${isOwner && !state.ended ? 'button--danger' : 'button--ghost'}`}
            data-testid="end-button"
            onClick={() => void endOrLeave()}
            disabled={!session || ending}
          >
            {ending ? 'Ending…' : state.ended ? 'Close' : isOwner ? 'End session' : 'Leave'}
          </button>
        </div>
      </header>

      {error && (
        <ErrorMessage
          message={error}
          onDismiss={() => {
            setLocalError(null);
            session?.dismissError();
          }}
        />
      )}

      <main className="viewer-page__main">
        {stage}
        {panelOpen && cobrowse && !state.ended && <ParticipantsPanel cobrowse={cobrowse} state={co} />}
      </main>
    </div>
  );
}
