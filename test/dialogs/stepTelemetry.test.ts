import { strict as assert } from 'node:assert';
import { NullTelemetryClient, type TelemetryEvent } from 'botbuilder-core';
import { WaterfallSteps } from '../../dialogs/dialogIds';
import { DialogIds } from '../../dialogs/dialogIds';
import { namedWaterfallSteps } from '../../dialogs/namedSteps';
import { createTestBot, SAMPLE_ANSWERS } from '../support/testBot';
import { playTranscript, say } from '../support/transcript';

/** Keeps the waterfall events botbuilder-dialogs reports. */
class RecordingTelemetry extends NullTelemetryClient {
  readonly events: TelemetryEvent[] = [];
  override trackEvent(event: TelemetryEvent): void {
    this.events.push(event);
  }
  stepNames(name = 'WaterfallStep'): string[] {
    return this.events.filter((e) => e.name === name).map((e) => `${String(e.properties?.DialogId)}:${String(e.properties?.StepName)}`);
  }
}

describe('waterfall step names in telemetry', () => {
  it('should report every step of an order-status conversation by its declared name, in order', async () => {
    const { adapter, dialog } = createTestBot();
    const telemetry = new RecordingTelemetry();
    dialog.telemetryClient = telemetry;

    await playTranscript(adapter, [
      ['where is my order 12345?', [/order 12345/]],
      ['yes', [/e-mail|postcode/i]],
      [SAMPLE_ANSWERS['12345'] as string, [/^Order 12345/, /helpful/]],
    ]);

    const main = DialogIds.mainWaterfall;
    const form = DialogIds.orderStatusWaterfall;
    assert.deepEqual(telemetry.stepNames(), [`${main}:route`, `${form}:askOrderId`, `${form}:confirm`, `${form}:access`, `${form}:answer`, `${main}:finish`]);
    assert.ok(!telemetry.stepNames().some((name) => /Step\d+of\d+/.test(name)), 'no step is reported by position');
  });

  it('should name the step a cancelled form stopped at', async () => {
    const { adapter, dialog } = createTestBot();
    const telemetry = new RecordingTelemetry();
    dialog.telemetryClient = telemetry;

    await playTranscript(adapter, [['where is my order?', [/order ID/]]]);
    await say(adapter, 'cancel');

    assert.ok(
      telemetry.stepNames('WaterfallCancel').includes(`${DialogIds.orderStatusWaterfall}:askOrderId`),
      telemetry.stepNames('WaterfallCancel').join(', '),
    );
  });

  it('should order steps as WaterfallSteps declares them and refuse steps that list does not have', () => {
    const steps = namedWaterfallSteps(DialogIds.mainWaterfall, {
      finish: async (step) => step.endDialog(),
      route: async (step) => step.next(),
    });
    assert.deepEqual(
      steps.map((s) => s.name),
      WaterfallSteps[DialogIds.mainWaterfall],
    );
    assert.throws(() => namedWaterfallSteps(DialogIds.mainWaterfall, { route: async (step) => step.next() }), /missing \[finish\]/);
    assert.throws(
      () => namedWaterfallSteps(DialogIds.mainWaterfall, { route: async (s) => s.next(), finish: async (s) => s.next(), extra: async (s) => s.next() }),
      /unknown \[extra\]/,
    );
    assert.throws(() => namedWaterfallSteps('no.such.waterfall', {}), /no entry in WaterfallSteps/);
  });
});
