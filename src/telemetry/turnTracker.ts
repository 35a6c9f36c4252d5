/**
 * Counts turns in flight so a shutdown can wait for them. Every adapter's turn middleware
 * reports here (HTTP, Slack, Direct Line), so "in flight" means turns, not just HTTP requests.
 */
export class TurnTracker {
  private running = 0;
  private idle: Array<() => void> = [];

  /** Turns running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Marks a turn as started; call the returned function exactly once when it ends. */
  begin(): () => void {
    this.running += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running -= 1;
      if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
  }

  /** Resolves true when no turn runs, or false when `timeoutMs` passed first. */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.running === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idle.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
