/**
 * Evaluation plots: Vega-Lite specs compiled by vega-lite, rendered to SVG by vega (headless,
 * no canvas), rasterised to PNG by resvg (its prebuilt binary comes as an npm optional dependency). Loaded
 * lazily so the bot itself never pays for these modules.
 */
import type { Prediction } from './evaluate';

/** A rendered plot. */
export interface RenderedPlot {
  svg: string;
  png: Buffer;
}

/** Vega-Lite spec of a confusion matrix; labels sorted, only non-zero cells drawn. */
export function confusionMatrixSpec(predictions: Prediction[]): Record<string, unknown> {
  const labels = [...new Set(predictions.flatMap((p) => [p.intent, p.predicted]))].sort();
  const counts = new Map<string, number>();
  for (const p of predictions) counts.set(`${p.intent}\u0000${p.predicted}`, (counts.get(`${p.intent}\u0000${p.predicted}`) ?? 0) + 1);
  const values = [...counts].map(([k, count]) => {
    const [gold, predicted] = k.split('\u0000');
    return { gold, predicted, count, correct: gold === predicted };
  });
  // ~9 px per row keeps 150 intents readable at 1600 px; small sets get larger cells.
  const cell = Math.max(9, Math.min(40, Math.floor(900 / Math.max(1, labels.length))));
  const fontSize = Math.max(7, Math.min(12, cell - 2));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Intent confusion matrix (${predictions.length} utterances; colour = count, sqrt scale)`,
    data: { values },
    width: cell * labels.length,
    height: cell * labels.length,
    mark: { type: 'rect' },
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: labels,
        scale: { domain: labels },
        title: 'predicted intent',
        axis: { labelFontSize: fontSize, labelAngle: -90, labelOverlap: false },
      },
      y: {
        field: 'gold',
        type: 'nominal',
        sort: labels,
        scale: { domain: labels },
        title: 'gold intent',
        axis: { labelFontSize: fontSize, labelOverlap: false },
      },
      color: { field: 'count', type: 'quantitative', scale: { type: 'sqrt', scheme: 'blues' } },
      stroke: { condition: { test: '!datum.correct', value: '#d62728' }, value: null },
    },
    config: { background: 'white', font: 'DejaVu Sans' },
  };
}

/** Vega-Lite spec of a confidence histogram split into correct and wrong predictions. */
export function confidenceHistogramSpec(predictions: Prediction[], threshold: number): Record<string, unknown> {
  const values = predictions.map((p) => ({ confidence: p.confidence, outcome: p.candidate === p.intent ? 'correct' : 'wrong' }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Intent confidence of the top candidate (threshold ${threshold})`,
    width: 640,
    height: 360,
    layer: [
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.8 },
        encoding: {
          x: { field: 'confidence', type: 'quantitative', bin: { extent: [0, 1], step: 0.05 }, title: 'confidence' },
          y: { aggregate: 'count', type: 'quantitative', title: 'utterances', stack: null },
          color: { field: 'outcome', type: 'nominal', scale: { domain: ['correct', 'wrong'], range: ['#4c78a8', '#e45756'] } },
        },
      },
      {
        data: { values: [{ threshold }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: 'black' },
        encoding: { x: { field: 'threshold', type: 'quantitative' } },
      },
    ],
    config: { background: 'white', font: 'DejaVu Sans' },
  };
}

/** Compiles a Vega-Lite spec and renders SVG and PNG. */
export async function renderPlot(vegaLiteSpec: Record<string, unknown>): Promise<RenderedPlot> {
  const [vega, vegaLite, resvg] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  // vega-lite's TopLevelSpec type is a large union; the specs above follow the v5 schema.
  const compiled = vegaLite.compile(vegaLiteSpec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new resvg.Resvg(svg, { background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return { svg, png };
}
