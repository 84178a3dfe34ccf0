/** Polling with a deadline (Lambda waits, kept small and mockable instead of SDK waiters). */

/** Tunables; tests shrink them. */
export const timing = {
  /** Pause between two polls. */
  pollIntervalMs: 2_000,
  /** Give up after this long. */
  maxWaitMs: 10 * 60_000,
};

/**
 * Call `probe` until it returns a value other than `undefined`, or throw a timeout error that
 * says what was awaited.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timing.maxWaitMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) return result;
    if (Date.now() + timing.pollIntervalMs > deadline) {
      throw new Error(`timed out after ${Math.round(timing.maxWaitMs / 1000)} s waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, timing.pollIntervalMs));
  }
}
