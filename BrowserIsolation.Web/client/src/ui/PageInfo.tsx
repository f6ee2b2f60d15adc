/** Title and address of the remote page (becomes an address bar with co-browsing). */
export function PageInfo({ title, url }: { title: string; url: string }) {
  return (
    <div className="page-info">
      <span className="page-info__title" data-testid="page-title" title={title}>
        {title || 'Untitled'}
      </span>
      <span className="page-info__url" data-testid="page-url" title={url}>
        {url}
      </span>
    </div>
  );
}
