import { useEffect, useRef } from 'react';
import type { CoBrowseSession } from '../cobrowse/CoBrowseSession';
import { rippleMs } from '../cobrowse/presence';
import type { ParticipantInfo } from '../protocol/events';

interface CursorLayerProps {
  cobrowse: CoBrowseSession | null;
  participants: ParticipantInfo[];
  /** Remote viewport point -> position in the surface (letterbox-aware), or null without a picture. */
  toSurface: (x: number, y: number) => { left: number; top: number } | null;
}

/**
 * Everyone else's pointer (an arrow with their name, in their colour) and click ripples, drawn over the picture.
 * Updated outside React on each animation frame with changes: cursors move up to 30 times a second.
 */
export function CursorLayer({ cobrowse, participants, toSurface }: CursorLayerProps) {
  const layer = useRef<HTMLDivElement>(null);
  const people = useRef(participants);
  people.current = participants;

  useEffect(() => {
    const root = layer.current;
    if (!cobrowse || !root) return;
    let frame: number | undefined;
    const cursorNodes = new Map<string, HTMLDivElement>();
    const rippleNodes = new Map<number, HTMLDivElement>();

    const draw = () => {
      frame = undefined;
      const byId = new Map(people.current.map((p) => [p.participantId, p]));
      const seen = new Set<string>();
      for (const cursor of cobrowse.presence.cursors) {
        const person = byId.get(cursor.participantId);
        const at = person ? toSurface(cursor.x, cursor.y) : null;
        if (!person || !at) continue;
        seen.add(cursor.participantId);
        let node = cursorNodes.get(cursor.participantId);
        if (!node) {
          node = cursorNode();
          cursorNodes.set(cursor.participantId, node);
          root.appendChild(node);
        }
        node.style.transform = `translate(${at.left}px, ${at.top}px)`;
        node.style.setProperty('--cursor-color', person.color);
        node.dataset.participantId = cursor.participantId;
        node.dataset.x = String(cursor.x);
        node.dataset.y = String(cursor.y);
        const label = node.lastElementChild as HTMLElement;
        if (label.textContent !== person.name) label.textContent = person.name;
      }
      for (const [id, node] of cursorNodes) {
        if (!seen.has(id)) {
          node.remove();
          cursorNodes.delete(id);
        }
      }
      const live = new Set<number>();
      for (const ripple of cobrowse.presence.ripples) {
        live.add(ripple.id);
        if (rippleNodes.has(ripple.id)) continue;
        const at = toSurface(ripple.x, ripple.y);
        if (!at) continue;
        const node = document.createElement('div');
        node.className = 'ripple';
        node.dataset.testid = 'click-ripple';
        node.dataset.participantId = ripple.participantId;
        node.style.setProperty('--cursor-color', byId.get(ripple.participantId)?.color ?? '#ffffff');
        node.style.left = `${at.left}px`;
        node.style.top = `${at.top}px`;
        node.style.animationDuration = `${rippleMs}ms`;
        root.appendChild(node);
        rippleNodes.set(ripple.id, node);
      }
      for (const [id, node] of rippleNodes) {
        if (!live.has(id)) {
          node.remove();
          rippleNodes.delete(id);
        }
      }
    };
    const schedule = () => {
      if (frame === undefined) frame = requestAnimationFrame(draw);
    };
    const off = cobrowse.presence.onChange.on(schedule);
    const resize = new ResizeObserver(schedule);
    resize.observe(root);
    schedule();
    return () => {
      off();
      resize.disconnect();
      if (frame !== undefined) cancelAnimationFrame(frame);
      root.replaceChildren();
    };
  }, [cobrowse, toSurface]);

  return <div ref={layer} className="cursor-layer" aria-hidden="true" />;
}

function cursorNode(): HTMLDivElement {
  const node = document.createElement('div');
  node.className = 'remote-cursor';
  node.dataset.testid = 'remote-cursor';
  node.innerHTML =
    '<svg viewBox="0 0 16 20" width="16" height="20"><path d="M1 1 L1 16 L5 12 L8 19 L11 18 L8 11 L14 11 Z" fill="var(--cursor-color)" stroke="#fff" stroke-width="1.2" stroke-linejoin="round"/></svg>' +
    '<span class="remote-cursor__name"></span>';
  return node;
}
