import { ApiError } from './problem';
import { getSession, type SessionInfo, type SessionRef } from './sessions';

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  /** Called after every poll, e.g. to show progress. */
  onPoll?: (info: SessionInfo) => void;
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls GET /api/sessions/{id} until the session leaves `pending`, and returns that state
 * (ready, error or terminated). Polls fast at first, since a warm start takes well under a second.
 */
export async function waitForSession(ref: SessionRef, options: WaitOptions): Promise<SessionInfo> {
  const deadline = performance.now() + options.timeoutMs;
  let interval = 150;
  for (;;) {
    const info = await getSession(ref, options.signal);
    options.onPoll?.(info);
    if (info.status !== 'pending') return info;
    if (performance.now() + interval > deadline) {
      throw new ApiError({
        status: 0,
        title: 'The session did not start in time',
        detail: `It was still pending after ${Math.round(options.timeoutMs / 1000)} s.`,
      });
    }
    await delay(interval, options.signal);
    interval = Math.min(1000, Math.round(interval * 1.5));
  }
}
