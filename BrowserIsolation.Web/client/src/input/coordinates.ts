export interface Size { width: number; height: number }

export interface Rect { left: number; top: number; width: number; height: number }

/**
 * Where the picture sits inside an element drawn with `object-fit: contain` (centred):
 * the element box minus the letterbox bars.
 */
export function containedContentRect(box: Rect, intrinsic: Size): Rect {
  if (intrinsic.width <= 0 || intrinsic.height <= 0 || box.width <= 0 || box.height <= 0) {
    return { left: box.left, top: box.top, width: 0, height: 0 };
  }
  const scale = Math.min(box.width / intrinsic.width, box.height / intrinsic.height);
  const width = intrinsic.width * scale;
  const height = intrinsic.height * scale;
  return { left: box.left + (box.width - width) / 2, top: box.top + (box.height - height) / 2, width, height };
}

export interface ViewportPoint { x: number; y: number; inside: boolean }

/**
 * Client (CSS) coordinates to remote viewport pixels. `inside` is false in the letterbox bars;
 * x and y are clamped to the viewport either way (a drag that leaves the picture keeps going at the edge).
 */
export function clientToViewport(clientX: number, clientY: number, content: Rect, viewport: Size): ViewportPoint {
  if (content.width <= 0 || content.height <= 0) return { x: 0, y: 0, inside: false };
  const rx = clientX - content.left;
  const ry = clientY - content.top;
  const inside = rx >= 0 && ry >= 0 && rx < content.width && ry < content.height;
  const x = clamp(Math.floor((rx * viewport.width) / content.width), 0, viewport.width - 1);
  const y = clamp(Math.floor((ry * viewport.height) / content.height), 0, viewport.height - 1);
  return { x, y, inside };
}

/** The inverse: where a remote viewport point appears on this screen (for cursor overlays). */
export function viewportToClient(x: number, y: number, content: Rect, viewport: Size): { clientX: number; clientY: number } {
  return {
    clientX: content.left + ((x + 0.5) * content.width) / viewport.width,
    clientY: content.top + ((y + 0.5) * content.height) / viewport.height,
  };
}

/** Intrinsic size of what an element shows: the canvas bitmap or the decoded video. */
export function intrinsicSize(element: HTMLCanvasElement | HTMLVideoElement, fallback: Size): Size {
  if (element instanceof HTMLVideoElement) {
    return element.videoWidth > 0 && element.videoHeight > 0 ? { width: element.videoWidth, height: element.videoHeight } : fallback;
  }
  return element.width > 0 && element.height > 0 ? { width: element.width, height: element.height } : fallback;
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
