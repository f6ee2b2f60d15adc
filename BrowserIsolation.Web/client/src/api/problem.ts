/** An RFC 7807 problem (or any failed HTTP call) in a form the UI can show. */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  readonly type?: string;
  /** Seconds from a Retry-After header (429, 503). */
  readonly retryAfter?: number;

  constructor(init: { status: number; title: string; detail?: string; type?: string; retryAfter?: number }) {
    super(init.detail ? `${init.title}: ${init.detail}` : init.title);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.retryAfter = init.retryAfter;
  }

  /** One line for the UI, including when to retry. */
  describe(): string {
    const wait = this.retryAfter !== undefined ? ` Try again in ${this.retryAfter} s.` : '';
    return this.message + (this.message.endsWith('.') ? '' : '.') + wait;
  }
}

function retryAfterSeconds(response: Response): number | undefined {
  const value = response.headers.get('Retry-After');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Reads a failed response as a problem document; falls back to the status line. */
export async function problemFromResponse(response: Response): Promise<ApiError> {
  const retryAfter = retryAfterSeconds(response);
  const contentType = response.headers.get('Content-Type') ?? '';
  if (contentType.includes('json')) {
    try {
      const body = (await response.json()) as Record<string, unknown>;
      const title = typeof body.title === 'string' && body.title ? body.title : statusTitle(response);
      const detail = typeof body.detail === 'string' && body.detail ? body.detail : undefined;
      const type = typeof body.type === 'string' ? body.type : undefined;
      return new ApiError({ status: response.status, title, detail, type, retryAfter });
    } catch {
      // Not JSON after all: use the status line below.
    }
  }
  return new ApiError({ status: response.status, title: statusTitle(response), retryAfter });
}

function statusTitle(response: Response): string {
  return `${response.status} ${response.statusText || 'Request failed'}`.trim();
}

/** Message for anything thrown by a fetch (network failure, abort, problem). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.describe();
  if (error instanceof DOMException && error.name === 'AbortError') return 'Cancelled.';
  if (error instanceof TypeError) return `Cannot reach the server (${error.message}).`;
  if (error instanceof Error) return error.message;
  return String(error);
}
