import { strict as assert } from 'node:assert';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { dm, startSlackApp, type SlackTestApp } from './support/slackTraffic';

describe('Slack acks in /metrics', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let slack: SlackTestApp;

  before(async () => {
    stub = await startSlackApiStub();
    slack = await startSlackApp(stub);
  });
  after(async () => {
    await slack?.close();
    await stub?.stop();
  });

  it('should time every acknowledged Slack delivery in supportbot_slack_ack_seconds', async () => {
    await slack.sender.event(dm('U-metrics', 'D-metrics', 'hi'));
    await slack.sender.event(dm('U-metrics', 'D-metrics', 'where is my order 12345'));
    await slack.idle();
    const text = await (await fetch(`${slack.url}/metrics`)).text();
    const count = Number(/^supportbot_slack_ack_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1]);
    assert.equal(count, 2);
  });
});
