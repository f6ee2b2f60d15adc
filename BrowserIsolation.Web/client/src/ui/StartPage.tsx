import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/problem';
import { createSession, deleteSession, type SessionInfo } from '../api/sessions';
import { waitForSession } from '../api/waitForSession';
import type { ClientConfig } from '../config';
import { parseDimension, parseTargetUrl } from '../targetUrl';
import { Brand } from './Brand';
import { ErrorMessage } from './ErrorMessage';

type Phase =
  | { kind: 'idle' }
  | { kind: 'creating' }
  | { kind: 'starting'; sessionId: string };

interface StartPageProps {
  config: ClientConfig;
  /** A message carried over from the viewer (e.g. why it closed). */
  notice: string | null;
  onReady: (sessionId: string) => void;
}

/** The URL form: create a session, wait until it is ready, then hand over to the viewer. */
export function StartPage({ config, notice, onReady }: StartPageProps) {
  const [url, setUrl] = useState('');
  const [width, setWidth] = useState('');
  const [height, setHeight] = useState('');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const abortRef = useRef<AbortController | null>(null);

  useEffect(() => () => abortRef.current?.abort(), []);

  const busy = phase.kind !== 'idle';

  async function start(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    const target = parseTargetUrl(url);
    const w = parseDimension(width, 'Width');
    const h = parseDimension(height, 'Height');
    const invalid = !target.ok ? target.message : !w.ok ? w.message : !h.ok ? h.message : null;
    if (invalid || !target.ok || !w.ok || !h.ok) {
      setError(invalid);
      return;
    }
    setError(null);
    setUrl(target.url);

    const abort = new AbortController();
    abortRef.current = abort;
    setPhase({ kind: 'creating' });
    try {
      const created = await createSession({ url: target.url, width: w.value, height: h.value }, abort.signal);
      setPhase({ kind: 'starting', sessionId: created.sessionId });
      const info: SessionInfo =
        created.status === 'pending'
          ? await waitForSession({ sessionId: created.sessionId }, { signal: abort.signal, timeoutMs: config.startTimeoutMs })
          : created;
      if (info.status === 'ready') {
        onReady(info.sessionId);
        return;
      }
      setError(info.status === 'error' ? `The session failed to start: ${info.error ?? 'unknown error'}` : 'The session ended before it was ready.');
    } catch (err) {
      if (abort.signal.aborted) return;
      setError(describeError(err));
    }
    setPhase({ kind: 'idle' });
  }

  function cancel() {
    abortRef.current?.abort();
    if (phase.kind === 'starting') void deleteSession({ sessionId: phase.sessionId }).catch(() => undefined);
    setPhase({ kind: 'idle' });
  }

  return (
    <div className="start-page">
      <header className="toolbar">
        <Brand />
      </header>
      <main className="start-page__main">
        <form className="start-card" onSubmit={start} noValidate aria-busy={busy}>
          <h1 className="start-card__title">Open a page in an isolated browser</h1>
          <p className="start-card__lead">The page runs in a throw-away browser on the server. You see it live and use it from here.</p>

          <label className="field">
            <span className="field__label">Address</span>
            <input
              className="field__input field__input--large"
              data-testid="url-input"
              type="url"
              inputMode="url"
              autoComplete="url"
              spellCheck={false}
              placeholder="https://example.com"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              disabled={busy}
              autoFocus
              aria-invalid={error !== null}
            />
          </label>

          <fieldset className="viewport-fields" disabled={busy}>
            <legend className="field__label">Viewport (optional)</legend>
            <label className="field field--inline">
              <span className="visually-hidden">Width in pixels</span>
              <input
                className="field__input"
                data-testid="width-input"
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                placeholder="1280"
                value={width}
                onChange={(e) => setWidth(e.target.value)}
              />
            </label>
            <span className="viewport-fields__x" aria-hidden="true">×</span>
            <label className="field field--inline">
              <span className="visually-hidden">Height in pixels</span>
              <input
                className="field__input"
                data-testid="height-input"
                type="number"
                inputMode="numeric"
                min={1}
                step={1}
                placeholder="720"
                value={height}
                onChange={(e) => setHeight(e.target.value)}
              />
            </label>
          </fieldset>

          {error && <ErrorMessage message={error} />}
          {!error && notice && <p className="notice">{notice}</p>}

          <div className="start-card__actions">
            {busy ? (
              <>
                <span className="progress" role="status">
                  <span className="spinner" aria-hidden="true" />
                  {phase.kind === 'creating' ? 'Creating the session…' : 'Starting the remote browser…'}
                </span>
                <button type="button" className="button button--ghost" onClick={cancel} data-testid="cancel-button">
                  Cancel
                </button>
              </>
            ) : (
              <button type="submit" className="button button--primary" data-testid="start-button">
                Start
              </button>
            )}
          </div>
        </form>
      </main>
    </div>
  );
}
