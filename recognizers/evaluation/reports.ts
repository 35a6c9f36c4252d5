import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from './evaluate';
import { confidenceHistogramSpec, confusionMatrixSpec, renderPlot } from './plots';

/** Files written by {@link writeReportDir}, relative to the folder. */
export const REPORT_FILES = [
  'intent_report.json',
  'entity_report.json',
  'errors.json',
  'confusion_matrix.png',
  'confusion_matrix.svg',
  'confidence_histogram.png',
  'confidence_histogram.svg',
] as const;

/**
 * Writes a `rasa test nlu`-style report folder: per-intent and per-entity reports, the
 * misclassified utterances, a confusion matrix and a confidence histogram.
 */
export async function writeReportDir(report: EvaluationReport, dir: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const json = (name: string, value: unknown): void => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  json('intent_report.json', {
    accuracy: report.intent.accuracy,
    macro_avg_f1: report.intent.macroF1,
    weighted_avg_f1: report.intent.weightedF1,
    in_scope_accuracy: report.inScopeAccuracy,
    out_of_scope_recall: report.outOfScopeRecall,
    threshold: report.threshold,
    ambiguity_margin: report.ambiguityMargin,
    ...Object.fromEntries(
      Object.entries(report.intent.perIntent).map(([name, s]) => [
        name,
        { precision: s.precision, recall: s.recall, 'f1-score': s.f1, support: s.support, confused_with: s.confusedWith },
      ]),
    ),
  });
  json('entity_report.json', {
    micro_avg: { precision: report.entities.precision, recall: report.entities.recall, 'f1-score': report.entities.f1, support: report.entities.support },
    ...Object.fromEntries(
      Object.entries(report.entities.perEntity).map(([name, s]) => [name, { precision: s.precision, recall: s.recall, 'f1-score': s.f1, support: s.support }]),
    ),
  });
  // Rasa-style: scores per entity@role#group label (present only when the data has roles or groups).
  if (report.entityRoles !== null) {
    json('entity_role_report.json', {
      micro_avg: {
        precision: report.entityRoles.precision,
        recall: report.entityRoles.recall,
        'f1-score': report.entityRoles.f1,
        support: report.entityRoles.support,
      },
      ...Object.fromEntries(
        Object.entries(report.entityRoles.perEntity).map(([name, s]) => [
          name,
          { precision: s.precision, recall: s.recall, 'f1-score': s.f1, support: s.support },
        ]),
      ),
    });
  }
  json(
    'errors.json',
    report.predictions
      .filter((p) => p.predicted !== p.intent)
      .map((p) => ({ text: p.text, intent: p.intent, intent_prediction: { name: p.predicted, confidence: p.confidence, candidate: p.candidate } })),
  );
  const matrix = await renderPlot(confusionMatrixSpec(report.predictions));
  writeFileSync(join(dir, 'confusion_matrix.png'), matrix.png);
  writeFileSync(join(dir, 'confusion_matrix.svg'), matrix.svg);
  const histogram = await renderPlot(confidenceHistogramSpec(report.predictions, report.threshold));
  writeFileSync(join(dir, 'confidence_histogram.png'), histogram.png);
  writeFileSync(join(dir, 'confidence_histogram.svg'), histogram.svg);
  return [...REPORT_FILES, ...(report.entityRoles === null ? [] : ['entity_role_report.json'])].map((f) => join(dir, f));
}
