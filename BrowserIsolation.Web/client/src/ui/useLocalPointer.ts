import { useEffect, type RefObject } from 'react';

const pointerEvents = ['pointerdown', 'pointerup', 'mousedown', 'wheel'] as const;

/**
 * For a control drawn over the remote picture: its presses stay local (the picture's input listeners, native ones on
 * the stage, would otherwise send them to the remote page, and React's own stopPropagation comes too late for them).
 */
export function useLocalPointer(ref: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const stop = (e: Event) => e.stopPropagation();
    for (const type of pointerEvents) element.addEventListener(type, stop);
    return () => {
      for (const type of pointerEvents) element.removeEventListener(type, stop);
    };
  }, [ref]);
}
