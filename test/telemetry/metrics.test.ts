import { strict as assert } from 'node:assert';
import { NoopBotMetrics, PromBotMetrics } from '../../src/telemetry/metrics';

/** The value of one sample line (`name{labels} value`) in exposition text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('PromBotMetrics', () => {
  it('should count turns by channel and observe their latency', async () => {
    const metrics = new PromBotMetrics({ defaultMetrics: false });

    metrics.turnCompleted('slack', 0.02, 'ok');
    metrics.turnCompleted('slack', 0.2, 'error');
    metrics.turnCompleted('msteams', 0.02, 'ok');

    const text = await metrics.render();
    assert.equal(sample(text, 'supportbot_turns_total{channel="slack",outcome="ok"}'), 1);
    assert.equal(sample(text, 'supportbot_turns_total{channel="slack",outcome="error"}'), 1);
    assert.equal(sample(text, 'supportbot_turn_duration_seconds_count{channel="slack"}'), 2);
    assert.equal(sample(text, 'supportbot_turn_duration_seconds_bucket{le="0.025",channel="slack"}'), 1);
  });

  it('should fold unknown channel ids into "other" so label cardinality stays bounded', async () => {
    const metrics = new PromBotMetrics({ defaultMetrics: false });

    metrics.turnCompleted('attacker-chosen-channel-1', 0.01, 'ok');
    metrics.turnCompleted('attacker-chosen-channel-2', 0.01, 'ok');

    const text = await metrics.render();
    assert.equal(sample(text, 'supportbot_turns_total{channel="other",outcome="ok"}'), 2);
    assert.doesNotMatch(text, /attacker/);
  });

  it('should record recognizer confidence, fallbacks, form steps and feedback', async () => {
    const metrics = new PromBotMetrics({ defaultMetrics: false });

    metrics.recognized('None', 0.31);
    metrics.recognized('ask_order_status', 0.97);
    metrics.fallback('did_you_mean');
    metrics.form('started');
    metrics.form('completed');
    metrics.feedback(true);

    const text = await metrics.render();
    assert.equal(sample(text, 'supportbot_recognitions_total{intent="None"}'), 1);
    assert.equal(sample(text, 'supportbot_recognizer_confidence_bucket{le="0.4"}'), 1);
    assert.equal(sample(text, 'supportbot_recognizer_confidence_count'), 2);
    assert.equal(sample(text, 'supportbot_fallbacks_total{stage="did_you_mean"}'), 1);
    assert.equal(sample(text, 'supportbot_form_events_total{event="completed"}'), 1);
    assert.equal(sample(text, 'supportbot_feedback_total{helpful="yes"}'), 1);
  });

  it('should count only failed order backend and storage operations as errors', async () => {
    const metrics = new PromBotMetrics({ defaultMetrics: false });

    metrics.orderBackend(0.05, 'found');
    metrics.orderBackend(0.05, 'not_found');
    metrics.orderBackend(3, 'timeout');
    metrics.storage('write', 0.004, true);
    metrics.storage('write', 0.5, false);

    const text = await metrics.render();
    assert.equal(sample(text, 'supportbot_order_backend_errors_total{outcome="timeout"}'), 1);
    assert.equal(sample(text, 'supportbot_order_backend_errors_total{outcome="not_found"}'), undefined);
    assert.equal(sample(text, 'supportbot_order_backend_duration_seconds_count{outcome="found"}'), 1);
    assert.equal(sample(text, 'supportbot_storage_errors_total{op="write"}'), 1);
    assert.equal(sample(text, 'supportbot_storage_duration_seconds_count{op="write",ok="true"}'), 1);
  });

  it('should observe handoff wait on claim and handle time on resolution', async () => {
    const metrics = new PromBotMetrics({ defaultMetrics: false });

    metrics.handoff('requested');
    metrics.handoff('claimed', 45);
    metrics.handoff('resolved', 300);

    const text = await metrics.render();
    assert.equal(sample(text, 'supportbot_handoffs_total{event="requested"}'), 1);
    assert.equal(sample(text, 'supportbot_handoff_wait_seconds_sum'), 45);
    assert.equal(sample(text, 'supportbot_handoff_handle_seconds_sum'), 300);
  });

  it('should keep two instances apart (own registry, not the global one)', async () => {
    const a = new PromBotMetrics();
    const b = new PromBotMetrics();

    a.slackAck(0.1);

    assert.equal(sample(await a.render(), 'supportbot_slack_ack_seconds_count'), 1);
    assert.equal(sample(await b.render(), 'supportbot_slack_ack_seconds_count'), 0);
    assert.match(await a.render(), /process_cpu_seconds_total/);
  });

  it('should expose the default process and Node.js metrics under their standard names', async () => {
    const text = await new PromBotMetrics().render();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.doesNotMatch(text, /supportbot_(process|nodejs)_/);
  });

  it('should accept every call on the no-op twin', () => {
    const metrics = new NoopBotMetrics();

    assert.doesNotThrow(() => {
      metrics.turnCompleted();
      metrics.handoff();
      metrics.storage();
    });
  });
});
