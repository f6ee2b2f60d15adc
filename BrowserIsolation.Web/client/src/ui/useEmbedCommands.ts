import { useEffect } from 'react';
import type { SoundController } from '../media/audio/SoundController';

/** A command from the host page, as `{target: 'browserisolation', type: 'audio', muted?, volume?}` (docs/embedding.md). */
export interface EmbedAudioCommand {
  muted?: boolean;
  /** 0-1. */
  volume?: number;
}

/** Reads a host page's message; null when it is not an audio command (`type: 'bi:audio'` is accepted too). Pure. */
export function parseEmbedAudioCommand(data: unknown): EmbedAudioCommand | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (!((m.target === 'browserisolation' && m.type === 'audio') || m.type === 'bi:audio')) return null;
  const command: EmbedAudioCommand = {};
  if (typeof m.muted === 'boolean') command.muted = m.muted;
  if (typeof m.volume === 'number' && Number.isFinite(m.volume)) command.volume = Math.min(1, Math.max(0, m.volume));
  return command;
}

/**
 * In an iframe, takes the host page's audio commands (mute, volume). Only from the parent window; they apply to this
 * page only and are not remembered as the user's own settings. Browsers still need a user gesture in the frame (or
 * `allow="autoplay"` on the iframe) before sound plays: the report's `blocked` says so.
 */
export function useEmbedCommands(embed: boolean, sound: SoundController | null): void {
  useEffect(() => {
    if (!embed || !sound || window.parent === window) return;
    const onMessage = (event: MessageEvent) => {
      if (event.source !== window.parent) return;
      const command = parseEmbedAudioCommand(event.data);
      if (!command) return;
      if (command.volume !== undefined) sound.setVolume(command.volume * 100, false);
      if (command.muted !== undefined) sound.setMuted(command.muted, false);
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [embed, sound]);
}
