import { useEffect, useState, useSyncExternalStore, type RefObject } from 'react';
import type { SessionRef } from '../api/sessions';
import type { ClientConfig } from '../config';
import { ViewerSession } from '../session/ViewerSession';
import { initialViewerState, type ViewerState } from '../session/ViewerState';

export interface ViewerRefs {
  surface: RefObject<HTMLDivElement | null>;
  canvas: RefObject<HTMLCanvasElement | null>;
  video: RefObject<HTMLVideoElement | null>;
  audio: RefObject<HTMLAudioElement | null>;
  keySink: RefObject<HTMLTextAreaElement | null>;
  releaseTarget: RefObject<HTMLElement | null>;
}

const noSubscribe = () => () => undefined;
const initial = () => initialViewerState;

/** Owns one ViewerSession for the component's lifetime and exposes its state to React. */
export function useViewerSession(ref: SessionRef, config: ClientConfig, refs: ViewerRefs): [ViewerSession | null, ViewerState] {
  const [session, setSession] = useState<ViewerSession | null>(null);
  const { sessionId, token } = ref;

  useEffect(() => {
    const { surface, canvas, video, audio, keySink } = refs;
    if (!surface.current || !canvas.current || !video.current || !audio.current || !keySink.current) return;
    const created = new ViewerSession(
      { sessionId, token },
      {
        surface: surface.current,
        canvas: canvas.current,
        video: video.current,
        audio: audio.current,
        keySink: keySink.current,
        releaseTarget: () => refs.releaseTarget.current,
      },
      config,
    );
    setSession(created);
    void created.start();
    return () => {
      created.dispose();
      setSession(null);
    };
    // The refs are stable objects; a new session id means a new viewer.
  }, [sessionId, token, config]);

  const state = useSyncExternalStore(session?.store.subscribe ?? noSubscribe, session?.store.get ?? initial);
  return [session, state];
}
