import type { WaterfallStep } from 'botbuilder-dialogs';
import { WaterfallSteps } from './dialogIds';

/**
 * The steps of a waterfall in the order `WaterfallSteps` (dialogs/dialogIds.ts) declares them,
 * each a function named after its entry there. botbuilder-dialogs reports a step by its
 * function's name in the WaterfallStep and WaterfallCancel telemetry events
 * (`WaterfallDialog.waterfallStepName`, "Step2of4" for an anonymous function), so telemetry
 * shows "confirm" and uses the same names as the state schema.
 *
 * Stored state keeps a step's index, not its name: the order comes from `WaterfallSteps` alone,
 * and a step missing from or unknown to that list throws here, when the dialog is built.
 */
export function namedWaterfallSteps(waterfallId: string, steps: Readonly<Record<string, WaterfallStep>>): WaterfallStep[] {
  const names = WaterfallSteps[waterfallId];
  if (!names) throw new Error(`Waterfall '${waterfallId}' has no entry in WaterfallSteps (dialogs/dialogIds.ts).`);
  const unknown = Object.keys(steps).filter((name) => !names.includes(name));
  const missing = names.filter((name) => !Object.hasOwn(steps, name));
  if (unknown.length > 0 || missing.length > 0) {
    throw new Error(
      `Waterfall '${waterfallId}' steps disagree with WaterfallSteps (dialogs/dialogIds.ts): missing [${missing.join(', ')}], unknown [${unknown.join(', ')}].`,
    );
  }
  return names.map((name) => {
    const run = steps[name] as WaterfallStep;
    const named: WaterfallStep = (step) => run(step);
    return Object.defineProperty(named, 'name', { value: name });
  });
}
