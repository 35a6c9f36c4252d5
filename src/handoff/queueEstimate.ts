import type { WaitSample } from './store/HandoffStore';

/**
 * Expected wait from recent history: each recent claim tells how long one place in the queue
 * took (wait ÷ position when queued); the estimate is the median of those, times the
 * customer's position. The median ignores the odd ticket that sat through a lunch break.
 *
 * @returns milliseconds, or undefined when there is no history to go on.
 */
export function expectedWaitMs(position: number, samples: readonly WaitSample[]): number | undefined {
  const perPlace = samples
    .filter((s) => s.waitMs >= 0 && s.position >= 1)
    .map((s) => s.waitMs / s.position)
    .sort((a, b) => a - b);
  if (perPlace.length === 0) return undefined;
  const middle = Math.floor(perPlace.length / 2);
  const median = perPlace.length % 2 === 1 ? (perPlace[middle] as number) : ((perPlace[middle - 1] as number) + (perPlace[middle] as number)) / 2;
  return Math.round(median * Math.max(1, position));
}

/** "about 3 minutes", "less than a minute", "about 2 hours": wording for customers. */
export function describeWait(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes === 1) return 'about a minute';
  if (minutes < 60) return `about ${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'about an hour' : `about ${hours} hours`;
}
