/** Counts frames actually shown and reports frames per second over the last second. */
export class FpsMeter {
  private readonly times: number[] = [];

  constructor(private readonly windowMs = 1000, private readonly now: () => number = () => performance.now()) {}

  tick(): void {
    this.times.push(this.now());
    this.trim();
  }

  reset(): void {
    this.times.length = 0;
  }

  /** Frames in the last window, scaled to one second. */
  get fps(): number {
    this.trim();
    return Math.round((this.times.length * 1000) / this.windowMs);
  }

  private trim(): void {
    const oldest = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.times.length && this.times[drop] <= oldest) drop++;
    if (drop > 0) this.times.splice(0, drop);
  }
}
