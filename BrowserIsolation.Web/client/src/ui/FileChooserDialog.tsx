import { useRef, useState } from 'react';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import type { FileChooserRequest } from '../cobrowse/state';

/** The remote page asked for a file: pick local files to upload into it (or cancel). */
export function FileChooserDialog({ cobrowse, chooser }: { cobrowse: CoBrowseSession; chooser: FileChooserRequest }) {
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="dialog" role="dialog" aria-modal="false" aria-labelledby={`chooser-${chooser.id}`} data-testid="file-chooser-dialog">
      <p id={`chooser-${chooser.id}`} className="dialog__text">
        The page asks for {chooser.multiple ? 'files' : 'a file'}.
        {chooser.accept && <span className="dialog__hint"> ({chooser.accept})</span>}
      </p>
      <input
        ref={input}
        type="file"
        className="visually-hidden"
        data-testid="file-chooser-input"
        multiple={chooser.multiple}
        accept={chooser.accept}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          if (files.length === 0) return;
          setBusy(true);
          void cobrowse.upload(files).finally(() => setBusy(false));
        }}
      />
      <div className="dialog__actions">
        <button type="button" className="button button--primary" data-testid="file-chooser-pick" disabled={busy} onClick={() => input.current?.click()} autoFocus>
          {busy ? 'Uploading…' : chooser.multiple ? 'Choose files…' : 'Choose a file…'}
        </button>
        <button type="button" className="button button--ghost" data-testid="file-chooser-cancel" disabled={busy} onClick={() => cobrowse.dismissChooser()}>
          Cancel
        </button>
      </div>
    </div>
  );
}
