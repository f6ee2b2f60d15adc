import { problemFromResponse } from './problem';

export interface RequestOptions {
  method?: string;
  body?: BodyInit;
  contentType?: string;
  accept?: string;
  /** A join token, sent as a bearer credential. */
  token?: string;
  signal?: AbortSignal;
}

/** fetch() that throws an ApiError (RFC 7807) for any non-2xx response. */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const headers = new Headers();
  if (options.contentType) headers.set('Content-Type', options.contentType);
  headers.set('Accept', options.accept ?? 'application/json, application/problem+json');
  if (options.token) headers.set('Authorization', `Bearer ${options.token}`);
  const response = await fetch(path, {
    method: options.method ?? 'GET',
    body: options.body,
    headers,
    signal: options.signal,
    cache: 'no-store',
  });
  if (!response.ok) throw await problemFromResponse(response);
  return response;
}

export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await request(path, options);
  return (await response.json()) as T;
}
