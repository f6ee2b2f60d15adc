import { useEffect, useRef, useState } from 'react';
import { describeError } from '../api/problem';
import type { SessionRef } from '../api/sessions';
import type { ClientConfig } from '../config';
import { releaseShortcutLabel } from '../input/keyboard';
import { Brand } from './Brand';
import { ErrorMessage } from './ErrorMessage';
import { toggleFullscreen } from './Fullscreen';
import { PageInfo } from './PageInfo';
import { StatusBar } from './StatusBar';
import { useViewerSession } from './useViewerSession';

interface ViewerPageProps {
  session: SessionRef;
  config: ClientConfig;
  /** Back to the start page, optionally with a message to show there. */
  onExit: (message?: string) => void;
}

/** The live remote page with its toolbar. Layout leaves room for a tab strip and a side panel. */
export function ViewerPage({ session: ref, config, onExit }: ViewerPageProps) {
  const surface = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const keySink = useRef<HTMLTextAreaElement>(null);
  const endButton = useRef<HTMLButtonElement>(null);
  const [session, state] = useViewerSession(ref, config, { surface, canvas, video, keySink, releaseTarget: endButton });
  const [ending, setEnding] = useState(false);
  const [localError, setLocalError] = useState<string | null>(null);

  useEffect(() => {
    document.title = state.title ? `${state.title} · BrowserIsolation` : 'BrowserIsolation';
    return () => {
      document.title = 'BrowserIsolation';
    };
  }, [state.title]);

  async function endSession() {
    if (!session || ending) return;
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

  return (
    <div className="viewer-page">
      <header className="toolbar toolbar--viewer">
        <Brand compact />
        <PageInfo title={state.title} url={state.url} />
        <StatusBar state={state} />
        <div className="toolbar__actions">
          {state.canRetryWebRtc && !state.ended && (
            <button type="button" className="button button--ghost" data-testid="retry-webrtc-button" onClick={() => session?.retryWebRtc()}>
              Retry WebRTC
            </button>
          )}
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
            className="button button--danger"
            data-testid="end-button"
            onClick={() => void endSession()}
            disabled={!session || ending}
          >
            {ending ? 'Ending…' : state.ended ? 'Close' : 'End session'}
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
        <div
          ref={surface}
          className="viewer"
          data-testid="viewer"
          data-transport={state.transport}
          data-ended={state.ended || undefined}
          aria-describedby={hintId}
        >
          <video ref={video} className="viewer__screen viewer__screen--video" data-testid="screen-video" muted autoPlay playsInline disablePictureInPicture />
          <canvas
            ref={canvas}
            className="viewer__screen viewer__screen--canvas"
            data-testid="screen-canvas"
            role="img"
            aria-label={state.title ? `Remote page: ${state.title}` : 'Remote page'}
          />
          <textarea
            ref={keySink}
            className="viewer__key-sink"
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
            <div className="viewer__pill" role="status">
              <span className="spinner spinner--small" aria-hidden="true" />
              Reconnecting…
            </div>
          )}
          {state.ended && (
            <div className="viewer__overlay viewer__overlay--ended" role="alertdialog" aria-labelledby={`${hintId}-ended`}>
              <p id={`${hintId}-ended`} className="viewer__ended-text" data-testid="ended-reason">
                {state.endReason}
              </p>
              <button type="button" className="button button--primary" data-testid="new-session-button" onClick={() => onExit()} autoFocus>
                Start a new session
              </button>
            </div>
          )}
        </div>
        {/* Co-browsing adds its side panel (participants, controls) here, next to the viewer. */}
      </main>
    </div>
  );
}
