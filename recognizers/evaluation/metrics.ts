/** Precision, recall, F1 and support of one label. */
export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Per-intent scores plus the labels it was most often mistaken for. */
export interface IntentScores extends LabelScores {
  confusedWith: Record<string, number>;
}

/** Intent metrics over paired gold/predicted labels. */
export interface IntentMetrics {
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  perIntent: Record<string, IntentScores>;
}

function prf(tp: number, fp: number, fn: number): Omit<LabelScores, 'support'> {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/**
 * Accuracy, macro/weighted F1 and per-label scores (labels = union of gold and predicted, as
 * scikit-learn's classification_report does). `confusedWith` keeps the top 3 wrong predictions.
 */
export function intentMetrics(gold: string[], predicted: string[]): IntentMetrics {
  const labels = [...new Set([...gold, ...predicted])].sort();
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const confusion = new Map<string, Map<string, number>>();
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] as string;
    if (g === p) {
      correct++;
      tp.set(g, (tp.get(g) ?? 0) + 1);
    } else {
      fp.set(p, (fp.get(p) ?? 0) + 1);
      fn.set(g, (fn.get(g) ?? 0) + 1);
      const row = confusion.get(g) ?? new Map<string, number>();
      row.set(p, (row.get(p) ?? 0) + 1);
      confusion.set(g, row);
    }
  });
  const perIntent: Record<string, IntentScores> = {};
  let macro = 0;
  let weighted = 0;
  let goldLabels = 0;
  for (const label of labels) {
    const support = (tp.get(label) ?? 0) + (fn.get(label) ?? 0);
    const scores = prf(tp.get(label) ?? 0, fp.get(label) ?? 0, fn.get(label) ?? 0);
    const confusedWith = Object.fromEntries(
      [...(confusion.get(label) ?? new Map<string, number>())].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3),
    );
    perIntent[label] = { ...scores, support, confusedWith };
    if (support > 0) {
      macro += scores.f1;
      weighted += scores.f1 * support;
      goldLabels++;
    }
  }
  return {
    accuracy: gold.length === 0 ? 0 : correct / gold.length,
    // Macro F1 over labels that occur in gold, so a spurious predicted label is only penalised
    // through precision of the others rather than by adding a zero to the average.
    macroF1: goldLabels === 0 ? 0 : macro / goldLabels,
    weightedF1: gold.length === 0 ? 0 : weighted / gold.length,
    perIntent,
  };
}

/** A typed character span used for exact-match entity scoring. */
export interface TypedSpan {
  entity: string;
  start: number;
  end: number;
  role?: string;
  group?: string;
}

/** Micro P/R/F1 over exact (type, start, end) matches, plus per-type scores. */
export interface EntityMetrics extends LabelScores {
  perEntity: Record<string, LabelScores>;
}

/** Span-level micro F1 (conlleval style): a prediction counts only with exact type and span. */
export function entityMetrics(gold: TypedSpan[][], predicted: TypedSpan[][]): EntityMetrics {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (type: string, key: 'tp' | 'fp' | 'fn'): void => {
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(type, c);
  };
  gold.forEach((g, i) => {
    const keyOf = (s: TypedSpan): string => `${s.entity}\u0000${s.start}\u0000${s.end}`;
    const goldKeys = new Set(g.map(keyOf));
    const predKeys = new Set((predicted[i] ?? []).map(keyOf));
    for (const s of g) bump(s.entity, predKeys.has(keyOf(s)) ? 'tp' : 'fn');
    for (const s of predicted[i] ?? []) if (!goldKeys.has(keyOf(s))) bump(s.entity, 'fp');
  });
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const perEntity: Record<string, LabelScores> = {};
  for (const [type, c] of [...counts].sort((a, b) => a[0].localeCompare(b[0]))) {
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
    perEntity[type] = { ...prf(c.tp, c.fp, c.fn), support: c.tp + c.fn };
  }
  return { ...prf(tp, fp, fn), support: tp + fn, perEntity };
}

/** Median of a list of numbers (0 for an empty list). */
export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
