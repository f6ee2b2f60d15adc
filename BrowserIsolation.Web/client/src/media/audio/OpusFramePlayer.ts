import { Emitter } from '../../net/Emitter';
import type { AudioFrame } from '../../protocol/audio';
import { MediaClock } from './MediaClock';
import { PlayoutScheduler, type PlayoutStats } from './PlayoutScheduler';

const opusConfig: AudioDecoderConfig = { codec: 'opus', sampleRate: 48_000, numberOfChannels: 2 };
/** More frames than this (200 ms) waiting for the decoder would only come out late: newer ones are left out. */
const maxDecodeQueue = 10;
/** Sources still scheduled when the player stops end after this, once the output gain has ramped down. */
const stopFadeS = 0.05;

/**
 * Plays the fallback's Opus frames: WebCodecs AudioDecoder (48 kHz stereo), then one AudioBufferSourceNode per frame,
 * scheduled back to back on the context's clock by the PlayoutScheduler, into `output`. A frame the decoder refuses
 * is counted (`decodeErrors`) and the decoder is replaced on the next frame: a broken frame never stops playback.
 * One player is one timeline: make a new one when the context (re)starts.
 */
export class OpusFramePlayer {
  /** WebCodecs with Opus and Web Audio: everything the fallback's sound needs. */
  static async supported(): Promise<boolean> {
    if (typeof AudioDecoder === 'undefined' || typeof AudioContext === 'undefined') return false;
    try {
      return (await AudioDecoder.isConfigSupported(opusConfig)).supported === true;
    } catch {
      return false;
    }
  }

  /** Fires with the new count after each decoder error. */
  readonly onError = new Emitter<number>();

  private decoder: AudioDecoder | null = null;
  private readonly clock = new MediaClock();
  private readonly scheduler = new PlayoutScheduler({ sampleRate: opusConfig.sampleRate });
  /** Timestamps of the frames in the decoder, in order (outputs are matched to them). */
  private pending: number[] = [];
  private readonly sources = new Set<AudioBufferSourceNode>();
  private errors = 0;
  private stopped = false;

  constructor(
    private readonly context: AudioContext,
    private readonly output: AudioNode,
  ) {}

  get decodeErrors(): number {
    return this.errors;
  }

  get stats(): PlayoutStats & { targetLeadMs: number; bufferedMs: number } {
    return { ...this.scheduler.stats, targetLeadMs: this.scheduler.targetLeadMs, bufferedMs: this.scheduler.bufferedMs(this.context.currentTime) };
  }

  push(frame: AudioFrame): void {
    if (this.stopped) return;
    const decoder = this.decoder ?? this.createDecoder();
    if (!decoder || decoder.decodeQueueSize > maxDecodeQueue) return;
    const { us } = this.clock.toRelative(frame.timestampUs);
    this.pending.push(us);
    try {
      decoder.decode(new EncodedAudioChunk({
        type: 'key',
        timestamp: us,
        duration: Math.round((frame.durationSamples * 1e6) / opusConfig.sampleRate),
        data: frame.data,
      }));
    } catch {
      this.failed(decoder);
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const end = this.context.currentTime + stopFadeS;
    for (const source of this.sources) {
      try {
        source.stop(end);
      } catch {
        // Not started or already stopped.
      }
    }
    this.sources.clear();
    this.closeDecoder(this.decoder);
    this.decoder = null;
    this.pending = [];
    this.onError.clear();
  }

  private createDecoder(): AudioDecoder | null {
    try {
      const decoder: AudioDecoder = new AudioDecoder({
        output: (data) => this.decoded(decoder, data),
        error: () => this.failed(decoder),
      });
      decoder.configure(opusConfig);
      this.decoder = decoder;
      this.pending = [];
      return decoder;
    } catch {
      this.failed(null);
      return null;
    }
  }

  private decoded(decoder: AudioDecoder, data: AudioData): void {
    try {
      if (decoder !== this.decoder || this.stopped) return;
      const us = this.takePending(data.timestamp);
      const placement = this.scheduler.place(us, data.numberOfFrames, this.context.currentTime);
      if (placement) this.play(data, placement.when, placement.offset);
    } catch {
      this.errors++;
      this.onError.emit(this.errors);
    } finally {
      data.close();
    }
  }

  /**
   * The timestamp a decoded frame was sent with: the output's own when it is one of ours (as WebCodecs specifies),
   * else the oldest in the decoder (some decoders restamp their output by counting samples, losing DTX gaps).
   */
  private takePending(timestamp: number): number {
    const i = this.pending.indexOf(timestamp);
    if (i >= 0) {
      this.pending.splice(0, i + 1);
      return timestamp;
    }
    return this.pending.shift() ?? timestamp;
  }

  private play(data: AudioData, when: number, offset: number): void {
    const frames = data.numberOfFrames;
    const buffer = this.context.createBuffer(2, frames, data.sampleRate);
    for (let channel = 0; channel < 2; channel++) {
      // Mono output (if a decoder gives it) goes to both channels.
      data.copyTo(buffer.getChannelData(channel), { planeIndex: Math.min(channel, data.numberOfChannels - 1), format: 'f32-planar' });
    }
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.output);
    source.onended = () => {
      this.sources.delete(source);
      source.disconnect();
    };
    this.sources.add(source);
    source.start(when, offset);
  }

  private failed(decoder: AudioDecoder | null): void {
    this.errors++;
    if (decoder && decoder === this.decoder) {
      // A closed decoder decodes nothing more: the next frame gets a fresh one.
      this.decoder = null;
      this.pending = [];
    }
    this.closeDecoder(decoder);
    if (!this.stopped) this.onError.emit(this.errors);
  }

  private closeDecoder(decoder: AudioDecoder | null): void {
    try {
      if (decoder && decoder.state !== 'closed') decoder.close();
    } catch {
      // Already closed.
    }
  }
}
