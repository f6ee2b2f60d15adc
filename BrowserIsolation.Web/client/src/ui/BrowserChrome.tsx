import { useEffect, useState, type FormEvent } from 'react';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import { mayInput, type CoBrowseState } from '../cobrowse/state';

interface ChromeProps {
  cobrowse: CoBrowseSession | null;
  state: CoBrowseState;
  /** The active tab's address (from navigation events). */
  url: string;
}

/**
 * The remote browser's own controls: tabs (switch, close, open) and an address bar with back, forward and reload.
 * Everything goes through the control API, which needs control (the buttons say so when someone else has it).
 */
export function BrowserChrome({ cobrowse, state, url }: ChromeProps) {
  const canDrive = mayInput(state);
  const why = canDrive ? undefined : state.me?.role === 'viewer' ? 'Viewers cannot use the browser' : 'Someone else has control';
  return (
    <div className="browser-chrome">
      <div className="tab-strip" role="tablist" aria-label="Tabs" data-testid="tab-strip">
        {state.tabs.map((tab) => (
          <div
            key={tab.tabId}
            className={`tab${tab.active ? ' tab--active' : ''}`}
            data-testid="tab"
            data-tab-id={tab.tabId}
            data-active={tab.active}
            title={tab.url}
          >
            <button
              type="button"
              role="tab"
              aria-selected={tab.active}
              className="tab__title"
              disabled={!canDrive && !tab.active}
              onClick={() => void cobrowse?.activateTab(tab.tabId)}
            >
              {tab.title || tab.url || 'New tab'}
            </button>
            <button
              type="button"
              className="tab__close"
              data-testid="tab-close"
              aria-label={`Close ${tab.title || 'tab'}`}
              title={why ?? 'Close tab'}
              disabled={!canDrive}
              onClick={() => void cobrowse?.closeTab(tab.tabId)}
            >
              ×
            </button>
          </div>
        ))}
        <button type="button" className="tab-strip__new" data-testid="new-tab-button" aria-label="New tab" title={why ?? 'New tab'} disabled={!canDrive}
          onClick={() => void cobrowse?.openTab()}>
          +
        </button>
      </div>
      <AddressBar cobrowse={cobrowse} state={state} url={url} canDrive={canDrive} why={why} />
    </div>
  );
}

function AddressBar({ cobrowse, state, url, canDrive, why }: ChromeProps & { canDrive: boolean; why?: string }) {
  const [text, setText] = useState(url);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setText(url);
  }, [url, editing]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!cobrowse || !canDrive) return;
    if (await cobrowse.navigate(text)) {
      setEditing(false);
      (document.activeElement as HTMLElement | null)?.blur();
    }
  }

  return (
    <form className="address-bar" onSubmit={(e) => void submit(e)} role="search" aria-label="Address">
      <button type="button" className="icon-button address-bar__nav" data-testid="back-button" aria-label="Back" title={why ?? 'Back'}
        disabled={!canDrive || !state.canGoBack} onClick={() => void cobrowse?.back()}>
        ‹
      </button>
      <button type="button" className="icon-button address-bar__nav" data-testid="forward-button" aria-label="Forward" title={why ?? 'Forward'}
        disabled={!canDrive || !state.canGoForward} onClick={() => void cobrowse?.forward()}>
        ›
      </button>
      <button type="button" className="icon-button address-bar__nav" data-testid="reload-button" aria-label="Reload" title={why ?? 'Reload'}
        disabled={!canDrive} onClick={() => void cobrowse?.reload()}>
        ↻
      </button>
      <input
        className="address-bar__input"
        data-testid="address-input"
        aria-label="Address"
        value={text}
        readOnly={!canDrive}
        title={why}
        spellCheck={false}
        autoComplete="off"
        autoCapitalize="off"
        onFocus={(e) => {
          setEditing(true);
          e.currentTarget.select();
        }}
        onBlur={() => setEditing(false)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            setText(url);
            e.currentTarget.blur();
          }
        }}
      />
    </form>
  );
}
