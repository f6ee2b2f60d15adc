// Server -> client text events on the session WebSocket (docs/protocol.md).

export interface HelloEvent { type: 'hello'; sessionId: string; width: number; height: number }
export interface StatusEvent { type: 'status'; status: 'ready' | 'terminated' | 'error'; error?: string }
export interface NavigationEvent { type: 'navigation'; url: string; title: string }
export interface ViewportEvent { type: 'viewport'; width: number; height: number }
export interface ErrorEvent { type: 'error'; code?: string; message: string }

export type ServerEvent = HelloEvent | StatusEvent | NavigationEvent | ViewportEvent | ErrorEvent;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * Parses one text message. Unknown types are returned as null so that newer servers
 * (participants, cursors, tabs) never break an older client.
 */
export function parseServerEvent(text: string): ServerEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(data)) return null;
  switch (data.type) {
    case 'hello':
      return isSize(data.width) && isSize(data.height)
        ? { type: 'hello', sessionId: str(data.sessionId), width: data.width, height: data.height }
        : null;
    case 'viewport':
      return isSize(data.width) && isSize(data.height) ? { type: 'viewport', width: data.width, height: data.height } : null;
    case 'status':
      return data.status === 'ready' || data.status === 'terminated' || data.status === 'error'
        ? { type: 'status', status: data.status, error: typeof data.error === 'string' ? data.error : undefined }
        : null;
    case 'navigation':
      return { type: 'navigation', url: str(data.url), title: str(data.title) };
    case 'error':
      return {
        type: 'error',
        code: typeof data.code === 'string' ? data.code : undefined,
        message: str(data.message) || 'The server refused a message.',
      };
    default:
      return null;
  }
}
