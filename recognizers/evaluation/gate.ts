import { readFileSync } from 'node:fs';
import type { EvaluationReport } from './evaluate';

/**
 * The NLU regression gate: minimum scores on a held-out file, kept in the repository
 * (data/nlu-gate.json) so a pipeline fails when an edit of the training data makes the
 * recognizer worse.
 */
export interface GateThresholds {
  /** Held-out file the thresholds were set on (relative to the repository root). */
  test?: string;
  /** Minimum intent accuracy, 0..1 (out-of-scope examples count as correct when answered None). */
  minIntentAccuracy: number;
  /** Minimum F1 per entity type, 0..1 (exact span and type), e.g. `{ "order_id": 0.9 }`. */
  minEntityF1: Record<string, number>;
}

/** One checked figure. */
export interface GateCheck {
  name: string;
  actual: number;
  minimum: number;
  passed: boolean;
}

export interface GateResult {
  passed: boolean;
  checks: GateCheck[];
}

function fraction(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`${where} must be a number between 0 and 1, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Parses and validates a thresholds file; errors name the file and the field. */
export function readGateThresholds(file: string): GateThresholds {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read the gate thresholds: ${(err as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: expected a JSON object`);
  const obj = raw as Record<string, unknown>;
  const entities = obj.minEntityF1 ?? {};
  if (entities === null || typeof entities !== 'object' || Array.isArray(entities)) {
    throw new Error(`${file}: "minEntityF1" must be an object of entity name to minimum F1`);
  }
  const minEntityF1: Record<string, number> = {};
  for (const [name, value] of Object.entries(entities)) minEntityF1[name] = fraction(value, `${file}: minEntityF1.${name}`);
  return {
    ...(typeof obj.test === 'string' ? { test: obj.test } : {}),
    minIntentAccuracy: fraction(obj.minIntentAccuracy, `${file}: minIntentAccuracy`),
    minEntityF1,
  };
}

/**
 * Compares a report with the thresholds. An entity type the test file never annotates fails:
 * a gate on an entity that is not measured would pass by accident.
 */
export function checkGate(report: EvaluationReport, thresholds: GateThresholds): GateResult {
  const checks: GateCheck[] = [
    {
      name: 'intent accuracy',
      actual: report.intent.accuracy,
      minimum: thresholds.minIntentAccuracy,
      passed: report.intent.accuracy >= thresholds.minIntentAccuracy,
    },
  ];
  for (const [entity, minimum] of Object.entries(thresholds.minEntityF1)) {
    const scores = report.entities.perEntity[entity];
    const actual = scores && scores.support > 0 ? scores.f1 : 0;
    checks.push({ name: `${entity} F1${scores && scores.support > 0 ? '' : ' (not in the test file)'}`, actual, minimum, passed: actual >= minimum });
  }
  return { passed: checks.every((c) => c.passed), checks };
}

/** One line per check, e.g. `PASS intent accuracy 98.48% (minimum 90.00%)`. */
export function formatGate(result: GateResult): string {
  const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
  const lines = result.checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'} ${c.name} ${pct(c.actual)} (minimum ${pct(c.minimum)})`);
  const failed = result.checks.filter((c) => !c.passed);
  lines.push(
    result.passed
      ? 'NLU gate passed.'
      : `NLU gate FAILED: ${failed.map((c) => c.name).join(', ')} below the threshold. Fix the training data, or, if the drop is intended, lower the threshold in the gate file in the same change.`,
  );
  return lines.join('\n');
}
