/** Which stream the viewer shows: try WebRTC and fall back to JPEG (auto), or force one. */
export type TransportMode = 'auto' | 'webrtc' | 'jpeg';

export interface ClientConfig {
  /** How long WebRTC may take to show video before the viewer stays on JPEG. */
  rtcTimeoutMs: number;
  transport: TransportMode;
  /** How long a session may stay `pending` before the start page gives up. */
  startTimeoutMs: number;
}

declare global {
  interface Window {
    /** Optional config object set by the host page (embedding) before the bundle loads. */
    BI_CONFIG?: Partial<ClientConfig>;
  }
}

export const defaultConfig: ClientConfig = {
  rtcTimeoutMs: 5000,
  transport: 'auto',
  startTimeoutMs: 90_000,
};

function positiveInt(value: string | null | undefined): number | undefined {
  if (value == null || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function transportMode(value: string | null | undefined): TransportMode | undefined {
  return value === 'auto' || value === 'webrtc' || value === 'jpeg' ? value : undefined;
}

/** Defaults, then `window.BI_CONFIG`, then the query string (`?rtcTimeoutMs=&transport=`). */
export function readConfig(search: string = window.location.search, fromHost: Partial<ClientConfig> | undefined = window.BI_CONFIG): ClientConfig {
  const q = new URLSearchParams(search);
  const host = fromHost ?? {};
  return {
    rtcTimeoutMs: positiveInt(q.get('rtcTimeoutMs')) ?? positiveInt(String(host.rtcTimeoutMs ?? '')) ?? defaultConfig.rtcTimeoutMs,
    transport: transportMode(q.get('transport')) ?? transportMode(host.transport) ?? defaultConfig.transport,
    startTimeoutMs: positiveInt(q.get('startTimeoutMs')) ?? positiveInt(String(host.startTimeoutMs ?? '')) ?? defaultConfig.startTimeoutMs,
  };
}
