import { useEffect, useState } from 'react';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import type { Notice } from '../cobrowse/state';

/** The latest co-browsing notice (joins, control changes, refusals), for a few seconds. */
export function NoticeToast({ notice, cobrowse }: { notice: Notice | null; cobrowse: CoBrowseSession | null }) {
  const [shown, setShown] = useState<Notice | null>(null);
  useEffect(() => {
    if (!notice) return;
    setShown(notice);
    const timer = setTimeout(() => setShown((current) => (current?.seq === notice.seq ? null : current)), notice.action ? 10_000 : 4000);
    return () => clearTimeout(timer);
  }, [notice]);
  if (!shown) return null;
  return (
    <div className={`toast toast--${shown.kind}`} role="status" aria-live="polite" data-testid="notice" data-kind={shown.kind}>
      <span>{shown.text}</span>
      {shown.action === 'copy' && (
        <button type="button" className="button button--small button--ghost" data-testid="copy-remote-button"
          onClick={() => void cobrowse?.copyRemoteClipboard().then(() => setShown(null))}>
          Copy
        </button>
      )}
    </div>
  );
}
