/**
 * Title and address of the remote page for screen readers (the tab strip and address bar show them on screen);
 * announced when they change.
 */
export function PageInfo({ title, url }: { title: string; url: string }) {
  return (
    <div className="visually-hidden" aria-live="polite">
      <span data-testid="page-title">{title || 'Untitled'}</span> <span data-testid="page-url">{url}</span>
    </div>
  );
}
