import { strict as assert } from 'node:assert';
import type { BotApp } from '../../src/app';
import { BotClient } from '../support/botClient';
import { startTestApp } from '../support/testApp';

/** The value of one series in exposition text (`name{labels} value`). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics (Prometheus)', () => {
  let app: BotApp;
  let url: string;

  before(async () => {
    ({ app, url } = await startTestApp());
  });
  after(async () => {
    await app.close();
  });

  it('should count turns, recognitions, form steps, fallbacks and feedback of real conversations', async () => {
    const client = new BotClient(url);
    for (const text of ['hi', 'where is my order 12345?', 'yes', 'SW1A 1AA', '👎 No', 'the weather on mars is purple']) await client.say(text);

    const response = await fetch(`${url}/metrics`);
    const text = await response.text();

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    assert.ok((sample(text, 'supportbot_turns_total{channel="emulator",outcome="ok"}') ?? 0) >= 5);
    assert.ok((sample(text, 'supportbot_turn_duration_seconds_count{channel="emulator"}') ?? 0) >= 5);
    assert.ok((sample(text, 'supportbot_recognizer_confidence_count') ?? 0) >= 5);
    assert.equal(sample(text, 'supportbot_form_events_total{event="started"}'), 1);
    assert.equal(sample(text, 'supportbot_form_events_total{event="completed"}'), 1);
    assert.equal(sample(text, 'supportbot_feedback_total{helpful="no"}'), 1);
    assert.equal(sample(text, 'supportbot_order_verifications_total{method="knowledge",outcome="passed"}'), 1);
    assert.ok((sample(text, 'supportbot_recognitions_total{intent="None"}') ?? 0) >= 1);
    assert.equal(sample(text, 'supportbot_turns_in_flight'), 0);
    assert.ok((sample(text, 'supportbot_storage_duration_seconds_count{op="read",ok="true"}') ?? 0) >= 1);
    assert.ok((sample(text, 'supportbot_storage_duration_seconds_count{op="write",ok="true"}') ?? 0) >= 1);
    assert.match(text, /process_resident_memory_bytes/);
  });

  it("should echo the caller's x-request-id and make one up otherwise", async () => {
    const given = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'trace-42' } });
    const made = await fetch(`${url}/healthz`);

    assert.equal(given.headers.get('x-request-id'), 'trace-42');
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});

describe('GET /metrics settings', () => {
  it('should require the bearer token when METRICS_TOKEN is set', async () => {
    const { app, url } = await startTestApp({ METRICS_TOKEN: 's3cret-token' });
    try {
      const anonymous = await fetch(`${url}/metrics`);
      const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer nope' } });
      const right = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer s3cret-token' } });

      assert.equal(anonymous.status, 401);
      assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'METRICS_UNAUTHORIZED');
      assert.equal(wrong.status, 401);
      assert.equal(right.status, 200);
    } finally {
      await app.close();
    }
  });

  it('should not serve /metrics when METRICS_ENABLED is false', async () => {
    const { app, url } = await startTestApp({ METRICS_ENABLED: 'false' });
    try {
      assert.equal((await fetch(`${url}/metrics`)).status, 404);
    } finally {
      await app.close();
    }
  });
});
