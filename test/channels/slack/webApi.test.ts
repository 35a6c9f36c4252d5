import { strict as assert } from 'node:assert';
import { rateLimited, serverError, slackError, startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { capturingLogger, dm, mention, postedTexts, startSlackApp, type SlackTestApp } from './support/slackTraffic';

describe('Slack Web API failures: 429, 5xx and errors (stand-in)', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let bot: SlackTestApp;
  let logs: Array<Record<string, unknown>>;

  before(async () => {
    stub = await startSlackApiStub();
    const captured = capturingLogger('info');
    logs = captured.lines;
    bot = await startSlackApp(stub, { SLACK_API_RETRIES: '4', SLACK_POST_INTERVAL_MS: '200' }, captured.logger);
  });
  after(async () => {
    await bot.close();
    await stub.stop();
  });
  afterEach(() => {
    stub.reset();
    logs.length = 0;
  });

  it('should wait out a 429 with Retry-After, retry, deliver the reply once and log it clearly', async () => {
    stub.script('chat.postMessage', rateLimited(1));

    await bot.sender.event(dm('U1', 'D1', 'where is my order 12345'));
    await bot.idle();

    assert.deepEqual(
      stub.callsTo('chat.postMessage').map((c) => c.status),
      [429, 200],
    );
    assert.deepEqual(postedTexts(stub), ['You asked about order 12345. Is that correct?']);
    const line = logs.find((l) => l.code === 'SLACK_RATE_LIMITED');
    assert.ok(line, 'a SLACK_RATE_LIMITED log line');
    assert.equal(line.retryAfterSec, 1);
    assert.match(String(line.msg), /rate-limited chat\.postMessage; retrying after 1s/);
  });

  it('should lose nothing when several replies to one channel wait behind a rate limit', async () => {
    stub.script('chat.postMessage', rateLimited(1));
    const questions = ['12345', '98765', 'ABC123'].map((id, i) => mention(`U-${i}`, 'C-busy', `where is my order ${id}`));

    for (const question of questions) await bot.sender.event(question);
    await bot.idle();

    assert.deepEqual(postedTexts(stub).sort(), [
      'You asked about order 12345. Is that correct?',
      'You asked about order 98765. Is that correct?',
      'You asked about order ABC123. Is that correct?',
    ]);
  });

  it('should retry a 5xx from Slack until the message is delivered', async () => {
    stub.script('chat.postMessage', serverError(500), serverError(503));

    await bot.sender.event(dm('U2', 'D2', 'hi'));
    await bot.idle();

    assert.deepEqual(
      stub.callsTo('chat.postMessage').map((c) => c.status),
      [500, 503, 200],
    );
    assert.equal(stub.succeeded('chat.postMessage').length, 1);
  });

  it('should log SLACK_API_ERROR when Slack refuses a message for good, and keep serving', async () => {
    stub.script('chat.postMessage', slackError('channel_not_found'));

    await bot.sender.event(dm('U3', 'D3', 'hi'));
    await bot.idle();

    const line = logs.find((l) => l.code === 'SLACK_API_ERROR');
    assert.ok(line, 'a SLACK_API_ERROR log line');
    assert.equal(line.slackError, 'channel_not_found');
    assert.equal(line.method, 'chat.postMessage');
    assert.equal(stub.callsTo('chat.postMessage')[0]?.status, 200, 'platform errors are not retried');

    await bot.sender.event(dm('U4', 'D4', 'hi'));
    await bot.idle();
    assert.match(postedTexts(stub).at(-1) ?? '', /order assistant/);
  });

  it('should space messages to one channel by SLACK_POST_INTERVAL_MS', async () => {
    await bot.sender.event(dm('U5', 'D5', 'where is my order 12345'));
    await bot.idle();
    await bot.sender.event(dm('U5', 'D5', 'yes'));
    await bot.idle();
    const before = stub.succeeded('chat.postMessage').length;

    await bot.sender.event(dm('U5', 'D5', 'alex.morgan@example.com'));
    await bot.idle();

    const turnMessages = stub.succeeded('chat.postMessage').slice(before);
    assert.ok(turnMessages.length >= 2, 'the status and the feedback question');
    for (let i = 1; i < turnMessages.length; i++) {
      assert.ok(turnMessages[i]!.at - turnMessages[i - 1]!.at >= 190, `gap ${turnMessages[i]!.at - turnMessages[i - 1]!.at} ms`);
    }
  });
});
