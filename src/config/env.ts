import { ConfigError, ConfigErrors } from '../errors';

/**
 * Small typed readers over an environment map. Each one names the setting in its error so the
 * operator knows exactly which variable to fix.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Problems found while `collectConfigProblems` reads an environment. A reader that finds a bad
 * value records it and goes on with the default, so one start-up reports every bad key at once.
 */
const collecting = new WeakMap<Env, ConfigError[]>();

function invalid<T>(env: Env, name: string, message: string, fallback: T): T {
  const problem = new ConfigError(name, message);
  const problems = collecting.get(env);
  if (!problems) throw problem;
  problems.push(problem);
  return fallback;
}

/**
 * Runs `read` over `env`, gathering every setting error instead of stopping at the first. Checks
 * that throw a ConfigError themselves end only their own `section`. Throws the single problem,
 * or a `ConfigErrors` listing all of them, when anything was wrong.
 */
export function collectConfigProblems<T>(env: Env, read: (section: <S>(readSection: () => S) => S) => T): T {
  const problems: ConfigError[] = [];
  collecting.set(env, problems);
  const section = <S>(readSection: () => S): S => {
    try {
      return readSection();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err);
      // Never used: the collected problems are thrown before `read` returns to the caller.
      return undefined as S;
    }
  };
  try {
    const result = read(section);
    if (problems.length === 1) throw problems[0];
    if (problems.length > 1) throw new ConfigErrors(problems);
    return result;
  } finally {
    collecting.delete(env);
  }
}

export function readString(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : raw.trim();
}

export function readOptional(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) return invalid(env, name, `expected a whole number, got "${raw}".`, fallback);
  const value = Number(raw);
  if (value < min || value > max) {
    return invalid(env, name, `expected a number from ${min} to ${max}, got ${value}.`, fallback);
  }
  return value;
}

export function readFloat(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) return invalid(env, name, `expected a number, got "${raw}".`, fallback);
  if (value < min || value > max) {
    return invalid(env, name, `expected a number from ${min} to ${max}, got ${value}.`, fallback);
  }
  return value;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lower)) return true;
  if (['0', 'false', 'no', 'off'].includes(lower)) return false;
  return invalid(env, name, `expected true or false, got "${raw}".`, fallback);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readOptional(env, name);
  if (raw === undefined) return fallback;
  const match = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!match) return invalid(env, name, `expected one of ${allowed.join(', ')}, got "${raw}".`, fallback);
  return match;
}

export function readUrl(env: Env, name: string): string | undefined {
  const raw = readOptional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return invalid(env, name, `expected an absolute http(s) URL, got "${raw}".`, undefined);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return invalid(env, name, `expected an http or https URL, got "${raw}".`, undefined);
  }
  return raw.replace(/\/+$/, '');
}

export function readRegex(env: Env, name: string, fallback: string): string {
  const source = readString(env, name, fallback);
  try {
    new RegExp(source, 'i');
  } catch (err) {
    return invalid(env, name, `not a valid regular expression (${(err as Error).message}).`, fallback);
  }
  return source;
}
