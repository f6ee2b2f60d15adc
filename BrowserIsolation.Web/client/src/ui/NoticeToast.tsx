import { useEffect } from 'react';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import type { Notice } from '../cobrowse/state';

/** The latest co-browsing notices (joins, control changes, refusals), each for a few seconds. */
export function NoticeToasts({ notices, cobrowse }: { notices: Notice[]; cobrowse: CoBrowseSession | null }) {
  if (!cobrowse || notices.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {notices.map((notice) => (
        <Toast key={notice.seq} notice={notice} cobrowse={cobrowse} />
      ))}
    </div>
  );
}

function Toast({ notice, cobrowse }: { notice: Notice; cobrowse: CoBrowseSession }) {
  useEffect(() => {
    const timer = setTimeout(() => cobrowse.dismissNotice(notice.seq), notice.action ? 10_000 : 4000);
    return () => clearTimeout(timer);
  }, [notice, cobrowse]);
  return (
    <div className={`toast toast--${notice.kind}`} data-testid="notice" data-kind={notice.kind}>
      <span>{notice.text}</span>
      {notice.action === 'copy' && (
        <button type="button" className="button button--small button--ghost" data-testid="copy-remote-button"
          onClick={() => void cobrowse.copyRemoteClipboard().then(() => cobrowse.dismissNotice(notice.seq))}>
          Copy
        </button>
      )}
    </div>
  );
}
