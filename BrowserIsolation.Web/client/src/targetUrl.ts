export type TargetUrlResult = { ok: true; url: string } | { ok: false; message: string };

// "example.com" or "localhost:8080/x" mean https://...; "ftp:" or "javascript:" are schemes we refuse.
const schemePrefix = /^([a-z][a-z0-9+.-]*):(?!\d)/i;

/** Validates what the user typed as the page to open remotely: only http and https. */
export function parseTargetUrl(input: string): TargetUrlResult {
  const text = input.trim();
  if (text === '') return { ok: false, message: 'Enter the address of a page to open.' };
  const scheme = schemePrefix.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    return { ok: false, message: `Only http and https addresses can be opened (got "${scheme}:").` };
  }
  const candidate = scheme === undefined ? `https://${text}` : text;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return { ok: false, message: `"${text}" is not a valid address.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: 'Only http and https addresses can be opened.' };
  }
  if (url.hostname === '') return { ok: false, message: 'The address has no host name.' };
  return { ok: true, url: url.href };
}

export type DimensionResult = { ok: true; value?: number } | { ok: false; message: string };

/** Optional viewport dimension: empty means "server default"; the server enforces its own range. */
export function parseDimension(input: string, name: string): DimensionResult {
  const text = input.trim();
  if (text === '') return { ok: true };
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) return { ok: false, message: `${name} must be a whole number of pixels.` };
  return { ok: true, value: n };
}
