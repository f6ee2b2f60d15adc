/** Exponential reconnect delay with jitter: 0.5 s, 1 s, 2 s ... capped at 10 s. */
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 10_000, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  // +-20 % so that many viewers of one session do not reconnect in lockstep.
  return Math.round(exp * (0.8 + 0.4 * random()));
}
