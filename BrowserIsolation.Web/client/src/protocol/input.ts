// Client -> server input messages (docs/protocol.md). Coordinates are viewport CSS pixels.

export type MouseButton = 'left' | 'middle' | 'right' | 'none';

export interface MouseMessage {
  type: 'mousemove' | 'mousedown' | 'mouseup';
  x: number;
  y: number;
  button: MouseButton;
  clickCount?: number;
  modifiers?: number;
}

export interface ScrollMessage { type: 'scroll'; x: number; y: number; deltaX: number; deltaY: number }

export interface KeyMessage { type: 'keydown' | 'keyup'; key: string; code: string; modifiers: number }

export interface TextMessage { type: 'text'; text: string }

export type InputMessage = MouseMessage | ScrollMessage | KeyMessage | TextMessage;

/** CDP modifier bitmask. */
export const Modifier = { Alt: 1, Ctrl: 2, Meta: 4, Shift: 8 } as const;

/** Where input goes; returns false when it could not be sent (socket not open). */
export type InputSink = (message: InputMessage) => boolean;
