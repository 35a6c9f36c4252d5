import { NONE_INTENT } from '../types';
import type { Prediction } from './evaluate';

/** Outcome of one (threshold, margin) setting, recomputed from stored predictions. */
export interface SweepRow {
  threshold: number;
  margin: number;
  /** all test utterances; gold out-of-scope counts as correct when answered None */
  accuracy: number;
  inScopeAccuracy: number;
  outOfScopeRecall: number | null;
  /** share of in-scope utterances that fell back to None */
  fallbackRate: number;
}

/** Applies a threshold and margin to a stored prediction (no re-run of the model needed). */
export function decide(p: Prediction, threshold: number, margin: number): string {
  if (p.candidate === NONE_INTENT) return NONE_INTENT;
  return p.confidence < threshold || p.margin < margin ? NONE_INTENT : p.candidate;
}

/** Evaluates every combination of thresholds and margins. */
export function sweep(predictions: Prediction[], thresholds: number[], margins: number[]): SweepRow[] {
  const rows: SweepRow[] = [];
  const inScope = predictions.filter((p) => p.intent !== NONE_INTENT);
  const oos = predictions.filter((p) => p.intent === NONE_INTENT);
  for (const margin of margins) {
    for (const threshold of thresholds) {
      const correct = predictions.filter((p) => decide(p, threshold, margin) === p.intent).length;
      const inOk = inScope.filter((p) => decide(p, threshold, margin) === p.intent).length;
      const inNone = inScope.filter((p) => decide(p, threshold, margin) === NONE_INTENT).length;
      const oosOk = oos.filter((p) => decide(p, threshold, margin) === NONE_INTENT).length;
      rows.push({
        threshold,
        margin,
        accuracy: predictions.length ? correct / predictions.length : 0,
        inScopeAccuracy: inScope.length ? inOk / inScope.length : 0,
        outOfScopeRecall: oos.length ? oosOk / oos.length : null,
        fallbackRate: inScope.length ? inNone / inScope.length : 0,
      });
    }
  }
  return rows;
}

/** Default grid: thresholds 0..0.9 by 0.05, margins 0, 0.02, 0.05, 0.1. */
export const DEFAULT_THRESHOLDS = Array.from({ length: 19 }, (_, i) => Math.round(i * 5) / 100);
export const DEFAULT_MARGINS = [0, 0.02, 0.05, 0.1];

/**
 * Picks a setting from sweep rows. With out-of-scope examples: the best overall accuracy,
 * where an out-of-scope utterance answered with None counts as correct (the usual clinc150
 * figure). Without: the highest threshold whose accuracy is within `tolerance` of the best,
 * i.e. the most cautious setting that costs almost nothing on in-scope input.
 */
export function recommend(rows: SweepRow[], tolerance = 0.01): SweepRow | undefined {
  if (rows.length === 0) return undefined;
  const hasOos = rows.some((r) => r.outOfScopeRecall !== null);
  if (hasOos) return rows.reduce((best, r) => (r.accuracy > best.accuracy + 1e-12 ? r : best));
  const best = Math.max(...rows.map((r) => r.accuracy));
  const ok = rows.filter((r) => r.accuracy >= best - tolerance);
  return ok.reduce((a, r) => (r.threshold + r.margin > a.threshold + a.margin ? r : a));
}

/** Plain-text trade-off table. */
export function formatSweep(rows: SweepRow[]): string {
  const pct = (x: number | null): string => (x === null ? '   -  ' : (x * 100).toFixed(2).padStart(6));
  const lines = ['threshold  margin  accuracy  in-scope  oos-recall  fallback'];
  for (const r of rows) {
    lines.push(
      `${r.threshold.toFixed(2).padStart(9)}  ${r.margin.toFixed(2).padStart(6)}  ${pct(r.accuracy).padStart(8)}  ${pct(r.inScopeAccuracy).padStart(8)}  ${pct(r.outOfScopeRecall).padStart(10)}  ${pct(r.fallbackRate).padStart(8)}`,
    );
  }
  return lines.join('\n');
}
