export interface PlayoutOptions {
  /** Samples per second of the decoded frames. */
  sampleRate?: number;
  /** How far ahead of "now" the first frame is scheduled. */
  initialLeadMs?: number;
  /** The adaptive target lead stays within these bounds, and no frame is scheduled further ahead than the maximum. */
  minLeadMs?: number;
  maxLeadMs?: number;
  /** A frame due sooner than this is late (the audio thread renders slightly ahead of `currentTime`). */
  safetyMs?: number;
}

/** Where one decoded frame goes on the AudioContext's clock. */
export interface Placement {
  /** Context time (s) to start the buffer at. */
  when: number;
  /** Seconds to leave out at the start of the buffer (its head was late, or was cut to shorten the delay). */
  offset: number;
}

export interface PlayoutStats {
  frames: number;
  placed: number;
  /** Frames whose slot had (partly) passed when they were ready. */
  late: number;
  /** Frames not played at all: late, repeated, or skipped to shorten the delay. */
  dropped: number;
  /** Timestamp gaps (DTX silence, skipped packets), kept as silence. */
  gaps: number;
  /** Times the timeline started over (first frame, clock jump, sustained lateness). */
  anchors: number;
  /** Delay taken out: silence shortened and sound cut. */
  skippedMs: number;
}

/** Frames per adaptation window (about 1 s of 20 ms frames). */
const windowFrames = 50;
/** The target grows by this after a late frame (once per window). */
const growS = 0.02;
/** ... and shrinks by this after `calmWindows` windows without one. */
const shrinkS = 0.01;
const calmWindows = 8;
/** Late frames arriving over this long are a higher delay, not one burst: start over at the (grown) target. */
const sustainedLateS = 0.1;
/** A reduction of the delay waits this many windows for a silence to hide in, then cuts the sound. */
const skipPatienceWindows = 2;
/** Less spare lead than this is not worth a skip. */
const minExcessS = 0.005;
/** Beyond these the media clock jumped: a new timeline. */
const maxGapUs = 10_000_000;
const maxBackUs = 2_000_000;

/** The timeline: frame `samples` after `at` (context time) is where the frame stamped `mediaUs` goes. */
interface Grid {
  at: number;
  samples: number;
  mediaUs: number;
}

interface Window {
  frames: number;
  minLead: number;
  late: number;
  grew: boolean;
}

const freshWindow = (): Window => ({ frames: 0, minLead: Infinity, late: 0, grew: false });

/**
 * Decides when each decoded Opus frame of the WebSocket fallback plays on the AudioContext's clock. Pure: the caller
 * passes "now" (`context.currentTime`).
 *
 * Frames that follow each other (timestamp = previous + duration, within half a frame) are scheduled back to back,
 * sample-exact. A larger timestamp gap (DTX silence, packets the server skipped) stays silence of that length, so
 * the sound keeps its alignment with the runner's clock. The lead (how far ahead a frame is scheduled when it is
 * ready) starts at 60 ms and adapts within 40-150 ms: a late frame is dropped, or cut to the part still ahead, and
 * the timeline keeps its slots (skip ahead: no delay piles up); lateness grows the target by 20 ms (once per second,
 * and a stream that stays late starts over at it); calm seconds shrink it again, and spare lead is taken out of the
 * next silence, or cut out of the sound if no silence comes. Nothing is scheduled beyond the maximum lead.
 */
export class PlayoutScheduler {
  readonly stats: PlayoutStats = { frames: 0, placed: 0, late: 0, dropped: 0, gaps: 0, anchors: 0, skippedMs: 0 };

  private readonly rate: number;
  private readonly minS: number;
  private readonly maxS: number;
  private readonly safetyS: number;
  private targetS: number;
  private grid: Grid | null = null;
  /** Samples to take out of the delay, preferably out of a silence. */
  private skip = 0;
  /** Windows the skip has waited for a silence. */
  private skipAge = 0;
  private lateStreak = 0;
  private lateSince = 0;
  private window = freshWindow();
  private calm = 0;

  constructor(options: PlayoutOptions = {}) {
    this.rate = options.sampleRate ?? 48_000;
    this.minS = (options.minLeadMs ?? 40) / 1000;
    this.maxS = (options.maxLeadMs ?? 150) / 1000;
    this.safetyS = (options.safetyMs ?? 6) / 1000;
    this.targetS = Math.min(this.maxS, Math.max(this.minS, (options.initialLeadMs ?? 60) / 1000));
  }

  get targetLeadMs(): number {
    return this.targetS * 1000;
  }

  /** Sound scheduled after `now`, in ms. */
  bufferedMs(now: number): number {
    return this.grid ? Math.max(0, this.grid.at + this.grid.samples / this.rate - now) * 1000 : 0;
  }

  /** Forgets the timeline (the context was suspended, the stream stopped): the next frame starts it again. */
  reset(): void {
    this.grid = null;
    this.skip = this.skipAge = this.lateStreak = 0;
    this.window = freshWindow();
  }

  /** Where a frame stamped `mediaUs` (µs, any origin) with `frames` samples plays; null when it is left out. */
  place(mediaUs: number, frames: number, now: number): Placement | null {
    this.stats.frames++;
    const rate = this.rate;
    const durationUs = (frames * 1e6) / rate;
    const grid = this.grid;
    if (!grid) return this.anchor(mediaUs, frames, now);
    const delta = mediaUs - grid.mediaUs;
    if (delta > maxGapUs || delta < -maxBackUs) return this.anchor(mediaUs, frames, now);
    if (delta < -durationUs / 2) {
      // A repeat, or older than what already played.
      this.stats.dropped++;
      return null;
    }
    grid.mediaUs = mediaUs + durationUs;
    let gap = delta > durationUs / 2 ? Math.round((delta * rate) / 1e6) : 0;
    if (gap > 0) this.stats.gaps++;
    let lead = grid.at + (grid.samples + gap) / rate - now;

    // Late: keep the slot (the next frame stays where it belongs) and play what is still ahead, if anything.
    if (lead < this.safetyS) {
      grid.samples += gap + frames;
      const whole = lead + frames / rate <= this.safetyS;
      this.late(now, lead);
      if (whole) {
        this.stats.dropped++;
        return null;
      }
      return this.placed({ when: now + this.safetyS, offset: this.safetyS - lead });
    }
    this.lateStreak = 0;

    // Too far ahead: the whole excess over the target goes, starting now.
    if (lead > this.maxS) {
      this.skip = Math.max(this.skip, Math.round((lead - this.targetS) * rate));
      this.skipAge = skipPatienceWindows;
    }
    // Delay to take out goes into the silence first, where nobody hears it.
    if (this.skip > 0 && gap > 0) {
      const used = Math.min(this.skip, gap);
      gap -= used;
      this.skip -= used;
      this.skipped(used);
      lead -= used / rate;
    }
    const position = grid.samples + gap;
    const when = grid.at + position / rate;
    if (lead > this.maxS || (this.skip >= frames && this.skipAge >= skipPatienceWindows)) {
      // Left out: the next frame takes this one's place.
      grid.samples = position;
      this.skip = Math.max(0, this.skip - frames);
      this.skipped(frames);
      this.stats.dropped++;
      return null;
    }
    if (this.skip > 0 && this.skipAge >= skipPatienceWindows) {
      // No silence came: cut the head of this frame.
      const cut = this.skip;
      this.skip = this.skipAge = 0;
      this.skipped(cut);
      grid.samples = position + frames - cut;
      this.observe(lead);
      return this.placed({ when, offset: cut / rate });
    }
    grid.samples = position + frames;
    this.observe(lead);
    return this.placed({ when, offset: 0 });
  }

  private anchor(mediaUs: number, frames: number, now: number): Placement {
    this.stats.anchors++;
    const when = now + this.targetS;
    this.grid = { at: when, samples: frames, mediaUs: mediaUs + (frames * 1e6) / this.rate };
    this.skip = this.skipAge = this.lateStreak = 0;
    return this.placed({ when, offset: 0 });
  }

  private late(now: number, lead: number): void {
    this.stats.late++;
    this.window.late++;
    this.calm = 0;
    this.skip = this.skipAge = 0;
    if (this.lateStreak++ === 0) this.lateSince = now;
    if (!this.window.grew && this.targetS < this.maxS) {
      // More buffer from here on: the underrun already made a hole, making it a little longer is not heard.
      const step = Math.min(growS, this.maxS - this.targetS);
      this.targetS += step;
      this.window.grew = true;
      if (this.grid) this.grid.samples += Math.round(step * this.rate);
    }
    if (now - this.lateSince >= sustainedLateS) {
      this.grid = null;
      this.lateStreak = 0;
    }
    this.observe(lead);
  }

  /** Per window: shrink the target after calm, and plan to take out lead that was never needed. */
  private observe(lead: number): void {
    const w = this.window;
    w.frames++;
    if (lead < w.minLead) w.minLead = lead;
    if (w.frames < windowFrames) return;
    if (w.late === 0 && ++this.calm >= calmWindows) {
      this.calm = 0;
      this.targetS = Math.max(this.minS, this.targetS - shrinkS);
    }
    const excess = w.minLead - this.targetS;
    if (w.late === 0 && excess >= minExcessS) {
      this.skipAge = this.skip > 0 ? this.skipAge + 1 : 0;
      this.skip = Math.round(excess * this.rate);
    } else {
      this.skip = this.skipAge = 0;
    }
    this.window = freshWindow();
  }

  private placed(placement: Placement): Placement {
    this.stats.placed++;
    return placement;
  }

  private skipped(samples: number): void {
    this.stats.skippedMs += (samples / this.rate) * 1000;
  }
}
