import { strict as assert } from 'node:assert';
import { startSlackApiStub, type SlackApiStub } from '../support/slackApiStub';
import { dm, startSlackApp, type SlackTestApp } from '../channels/slack/support/slackTraffic';

/**
 * The Slack route applies the same inbound gate as the other routes: MAX_BODY_BYTES (it used a
 * fixed 1 MiB before the change) and MAX_JSON_DEPTH, before Bolt sees the payload.
 */
describe('security: the Slack route honours the shared inbound limits', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let bot: SlackTestApp;

  before(async () => {
    stub = await startSlackApiStub();
    bot = await startSlackApp(stub, { MAX_BODY_BYTES: String(64 * 1024) });
  });
  after(async () => {
    await bot.close();
    await stub.stop();
  });

  it('should refuse a signed body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE and run no turn', async () => {
    const { status, text } = await bot.sender.event(dm('U1', 'D1', `where is my order 12345 ${'x'.repeat(100 * 1024)}`));
    assert.equal(status, 413);
    assert.equal(JSON.parse(text).error.code, 'PAYLOAD_TOO_LARGE');
    await bot.idle();
    assert.equal(stub.callsTo('chat.postMessage').length, 0);
  });

  it('should refuse a signed payload nested 5,000 deep with 400 JSON_TOO_DEEP and run no turn', async () => {
    const event = dm('U1', 'D1', 'where is my order 12345');
    const body = JSON.stringify(event).replace(/}$/, `,"deep":${'['.repeat(5000)}${']'.repeat(5000)}}`);
    const { status, text } = await bot.sender.raw(body, 'application/json');
    assert.equal(status, 400, text);
    assert.equal(JSON.parse(text).error.code, 'JSON_TOO_DEEP');
    await bot.idle();
    assert.equal(stub.callsTo('chat.postMessage').length, 0);
  });
});
