/** Product mark: an inline SVG, no external assets. */
export function Brand({ compact = false }: { compact?: boolean }) {
  return (
    <span className="brand">
      <svg className="brand__mark" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <rect x="2.5" y="4" width="19" height="16" rx="3" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M2.5 9h19" stroke="currentColor" strokeWidth="2" />
        <circle cx="12" cy="14.5" r="2.5" fill="currentColor" />
      </svg>
      {!compact && <span className="brand__name">BrowserIsolation</span>}
    </span>
  );
}
