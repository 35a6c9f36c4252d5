/** One readiness check: resolves true when the part can serve traffic. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/**
 * Readiness is the AND of named checks (storage, recognizer, ...) registered by the
 * composition root; /readyz reports each one so an operator sees which part is down.
 */
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async readiness(): Promise<{ ready: boolean; checks: Record<string, boolean> }> {
    const checks: Record<string, boolean> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = await check();
      } catch {
        checks[name] = false;
      }
    }
    return { ready: Object.values(checks).every(Boolean), checks };
  }
}
