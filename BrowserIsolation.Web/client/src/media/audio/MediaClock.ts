/**
 * The runner stamps its Opus frames with a uint64 microsecond clock of arbitrary origin, which may be far beyond
 * 2^53. Playout needs small exact numbers: this maps each timestamp to microseconds since the first frame, exactly,
 * and starts over when the clock jumps (a restarted runner, another replica), which the caller treats as a new stream.
 */
export class MediaClock {
  private origin: bigint | null = null;
  private last: bigint | null = null;
  private readonly maxJump: bigint;

  constructor(maxJumpUs = 60_000_000) {
    this.maxJump = BigInt(maxJumpUs);
  }

  toRelative(timestampUs: bigint): { us: number; restarted: boolean } {
    let restarted = false;
    if (this.origin === null || this.last === null || abs(timestampUs - this.last) > this.maxJump) {
      restarted = this.origin !== null;
      this.origin = timestampUs;
    }
    this.last = timestampUs;
    return { us: Number(timestampUs - this.origin), restarted };
  }

  reset(): void {
    this.origin = this.last = null;
  }
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}
