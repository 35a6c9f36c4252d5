import { strict as assert } from 'node:assert';
import { signatureOf } from '../../../src/channels/slack/signature';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { dm, SIGNING_SECRET, startSlackApp, type SlackTestApp } from './support/slackTraffic';

describe('Slack HTTP edge: POST /api/slack/events', () => {
  let stub: SlackApiStub;
  let bot: SlackTestApp;

  before(async () => {
    stub = await startSlackApiStub();
    bot = await startSlackApp(stub);
  });
  after(async () => {
    await bot.close();
    await stub.stop();
  });
  afterEach(() => stub.reset());

  it('should answer URL verification with the challenge when the request is signed', async () => {
    const { status, text } = await bot.sender.event({ token: 't', challenge: 'c-123', type: 'url_verification' });

    assert.equal(status, 200);
    assert.deepEqual(JSON.parse(text), { challenge: 'c-123' });
  });

  it('should refuse URL verification without a signature with 401', async () => {
    const { status, text } = await bot.sender.event({ token: 't', challenge: 'c-123', type: 'url_verification' }, { signature: null });

    assert.equal(status, 401);
    assert.equal(JSON.parse(text).error.code, 'SLACK_SIGNATURE_INVALID');
  });

  it('should refuse a wrong signature, a stale timestamp, a future timestamp and a missing timestamp with 401 and run no turn', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      { name: 'wrong secret', options: { secret: 'not-the-secret' } },
      { name: 'garbage signature', options: { signature: 'v0=deadbeef' } },
      { name: 'unknown version', options: { signature: 'v1=abc' } },
      { name: 'stale (6 min old)', options: { timestamp: now - 6 * 60 } },
      { name: 'future (6 min ahead)', options: { timestamp: now + 6 * 60 } },
    ];
    for (const { name, options } of cases) {
      const { status, text } = await bot.sender.event(dm('U1', 'D1', 'where is my order 12345'), options);
      assert.equal(status, 401, name);
      assert.match(JSON.parse(text).error.message, /signature check failed/, name);
    }
    const noTimestamp = await fetch(`${bot.url}/api/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-signature': 'v0=abc' },
      body: '{}',
    });
    assert.equal(noTimestamp.status, 401);

    await bot.idle();
    assert.equal(stub.callsTo('chat.postMessage').length, 0);
  });

  it('should accept a timestamp 4 minutes old (inside the replay window)', async () => {
    const { status } = await bot.sender.event({ challenge: 'x', type: 'url_verification' }, { timestamp: Math.floor(Date.now() / 1000) - 4 * 60 });

    assert.equal(status, 200);
  });

  it('should detect a body changed after signing', async () => {
    const body = JSON.stringify(dm('U1', 'D1', 'hi'));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signatureOf(SIGNING_SECRET, timestamp, body);

    const response = await fetch(`${bot.url}/api/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      body: body.replace('hi', 'ho'),
    });

    assert.equal(response.status, 401);
  });

  it('should ack a signed event with an empty 200 before the reply is posted', async () => {
    const { status, text } = await bot.sender.event(dm('U-ack', 'D-ack', 'hi'));

    assert.equal(status, 200);
    assert.equal(text, '');
    await stub.waitFor('chat.postMessage', 1);
  });

  it('should answer a signed body that is neither JSON nor a form with 400', async () => {
    const { status, text } = await bot.sender.raw('{"type": "event_callback", ', 'application/json');

    assert.equal(status, 400);
    assert.equal(JSON.parse(text).error.code, 'REQUEST_INVALID');
  });

  it('should refuse a body over 1 MiB with 413 without reading it as an event', async () => {
    const { status } = await bot.sender.raw(JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(1024 * 1024 + 10) }), 'application/json');

    assert.equal(status, 413);
  });

  it('should ack an SSL check and interactions nobody listens to with 200', async () => {
    const ssl = await bot.sender.raw('ssl_check=1&token=t', 'application/x-www-form-urlencoded');
    const unknownAction = await bot.sender.interaction({
      type: 'block_actions',
      user: { id: 'U1', team_id: 'T0TEST' },
      team: { id: 'T0TEST' },
      channel: { id: 'D1' },
      actions: [{ action_id: 'somebody_elses_button', type: 'button', value: 'x', action_ts: '1' }],
    });

    assert.equal(ssl.status, 200);
    assert.equal(unknownAction.status, 200);
    await bot.idle();
    assert.equal(stub.callsTo('chat.postMessage').length, 0);
  });
});
