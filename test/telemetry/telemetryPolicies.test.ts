import { strict as assert } from 'node:assert';
import { readTelemetryConfig } from '../../src/config/telemetry';
import { inSample } from '../../src/telemetry/appInsights';
import { eventLabel, parseEventLabel } from '../../src/telemetry/eventLabel';
import { pseudonym, scrubProperties } from '../../src/telemetry/personalData';

describe('telemetry policies', () => {
  describe('personal data scrubbing', () => {
    it('should drop text and names, hash user ids and keep entity types only', () => {
      const scrubbed = scrubProperties(
        {
          text: 'my order 12345',
          fromName: 'Ann',
          fromId: 'slack-U123',
          conversationId: 'c1',
          Text: 'my order 12345',
          Entities: JSON.stringify({ order_id: ['12345'], $instance: { order_id: [{ text: '12345' }] } }),
          TopIntentScore: 0.97,
          missing: undefined,
        },
        false,
      );

      assert.deepEqual(scrubbed, {
        fromId: pseudonym('slack-U123'),
        conversationId: 'c1',
        Entities: '["order_id"]',
        TopIntentScore: '0.97',
      });
      assert.match(scrubbed.fromId ?? '', /^h:[0-9a-f]{16}$/);
    });

    it('should keep everything, as strings, when personal data is allowed', () => {
      assert.deepEqual(scrubProperties({ text: 'hi', fromId: 'u1', n: 3 }, true), { text: 'hi', fromId: 'u1', n: '3' });
    });

    it('should give the same pseudonym for the same id, and different ones for different ids', () => {
      assert.equal(pseudonym('u1'), pseudonym('u1'));
      assert.notEqual(pseudonym('u1'), pseudonym('u2'));
      assert.equal(pseudonym(''), '');
    });
  });

  describe('conversation sampling', () => {
    it('should keep about the configured share of conversations, whole and deterministically', () => {
      const ids = Array.from({ length: 10_000 }, (_, i) => `conversation-${i}`);

      const kept = ids.filter((id) => inSample(id, 25)).length;

      assert.ok(kept > 2300 && kept < 2700, `kept ${kept} of 10000 at 25%`);
      assert.equal(inSample('conversation-42', 25), inSample('conversation-42', 25));
      assert.ok(ids.every((id) => inSample(id, 100)));
      assert.ok(!ids.some((id) => inSample(id, 0)));
      assert.equal(inSample(undefined, 0), true);
    });
  });

  describe('event labels', () => {
    it('should round-trip an event through its compact label', () => {
      const label = eventLabel({ name: 'form.abandoned', reason: 'cancel', at: 'orderStatusDialog.confirmPrompt' });

      assert.equal(label, 'form.abandoned reason=cancel at=orderStatusDialog.confirmPrompt');
      assert.deepEqual(parseEventLabel(label), { name: 'form.abandoned', reason: 'cancel', at: 'orderStatusDialog.confirmPrompt' });
      assert.deepEqual(parseEventLabel(eventLabel({ name: 'satisfaction', rating: 3, scale: 3 })), { name: 'satisfaction', rating: 3, scale: 3 });
      assert.deepEqual(parseEventLabel(eventLabel({ name: 'feedback', helpful: false })), { name: 'feedback', helpful: false });
    });
  });

  describe('settings', () => {
    it('should default to no Application Insights, no personal data, metrics on and a 10 s drain', () => {
      const config = readTelemetryConfig({}, false);

      assert.deepEqual(config, {
        appInsightsConnectionString: undefined,
        samplingPercentage: 100,
        logPersonalData: false,
        logFormat: 'json',
        metricsEnabled: true,
        metricsToken: undefined,
        shutdownTimeoutMs: 10_000,
      });
    });

    it('should log pretty only in development on a terminal, unless told otherwise', () => {
      assert.equal(readTelemetryConfig({}, true).logFormat, 'pretty');
      assert.equal(readTelemetryConfig({ NODE_ENV: 'production' }, true).logFormat, 'json');
      assert.equal(readTelemetryConfig({ LOG_FORMAT: 'json' }, true).logFormat, 'json');
    });

    it('should name the setting when a value is wrong', () => {
      assert.throws(() => readTelemetryConfig({ TELEMETRY_SAMPLING_PERCENTAGE: '150' }), /TELEMETRY_SAMPLING_PERCENTAGE: expected a number from 0 to 100/);
      assert.throws(() => readTelemetryConfig({ LOG_FORMAT: 'xml' }), /LOG_FORMAT: expected one of json, pretty/);
      assert.throws(() => readTelemetryConfig({ SHUTDOWN_TIMEOUT_MS: 'soon' }), /SHUTDOWN_TIMEOUT_MS: expected a whole number/);
      assert.throws(() => readTelemetryConfig({ LOG_PERSONAL_DATA: 'maybe' }), /LOG_PERSONAL_DATA: expected true or false/);
    });
  });
});
