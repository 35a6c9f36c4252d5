import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { createApp, type BotApp } from '../../../src/app';
import { loadConfig } from '../../../src/config/config';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { waitFor } from '../../support/waitFor';
import { dm } from './support/slackTraffic';

/**
 * Socket Mode: the bot opens a WebSocket to the URL apps.connections.open gives it (here a local
 * WebSocket server standing in for Slack's), receives envelopes and acks them by envelope_id.
 */
describe('Slack Socket Mode (local WebSocket stand-in)', function () {
  this.timeout(30_000);
  let stub: SlackApiStub;
  let wss: WebSocketServer;
  let app: BotApp;
  let socket: WebSocket;
  const acks: string[] = [];
  /** The app's log lines (JSON), to see what became of each delivery. */
  const logLines: string[] = [];
  let appTokenUsed: string | undefined;

  before(async () => {
    stub = await startSlackApiStub();
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    stub.on('apps.connections.open', (call) => {
      appTokenUsed = call.token;
      return { body: { ok: true, url: wsUrl } };
    });
    const connected = new Promise<WebSocket>((resolve) => {
      wss.on('connection', (ws) => {
        ws.on('message', (data) => acks.push((JSON.parse(data.toString()) as { envelope_id: string }).envelope_id));
        ws.send(JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0TEST' } }));
        resolve(ws);
      });
    });
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_APP_TOKEN: 'xapp-test-token',
      SLACK_API_URL: stub.url,
      SLACK_POST_INTERVAL_MS: '0',
    });
    app = await createApp(config, { logger: pino({ level: 'info' }, { write: (line: string) => logLines.push(line) }) });
    await app.listen();
    socket = await connected;
  });
  after(async () => {
    await app?.close();
    for (const client of wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
    await stub?.stop();
  });

  function deliver(envelopeId: string, payload: Record<string, unknown>, retryAttempt = 0): void {
    socket.send(
      JSON.stringify({
        envelope_id: envelopeId,
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: retryAttempt,
        retry_reason: retryAttempt ? 'timeout' : '',
        payload,
      }),
    );
  }

  it('should open the connection with the app token and not serve /api/slack/events', async () => {
    assert.equal(app.slack?.mode, 'socket');
    assert.equal(appTokenUsed, 'xapp-test-token');
    const { port } = app.server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/api/slack/events`, { method: 'POST', body: '{}' });
    assert.notEqual(response.status, 200);
  });

  it('should ack each envelope and answer the DM through the Web API, once despite a redelivery', async () => {
    const event = dm('U1', 'D1', 'where is my order 12345');

    deliver('env-1', event);
    deliver('env-2', event, 1);
    await stub.waitFor('chat.postMessage', 1);
    await waitFor(() => acks.includes('env-1') && acks.includes('env-2'), { what: 'both envelopes acked' });
    // Proof that the redelivery was processed (and dropped), not merely not processed yet.
    await waitFor(() => logLines.some((line) => line.includes('Slack duplicate delivery dropped')), { what: 'the redelivery was dropped as a duplicate' });
    await app.slack?.idle();

    assert.ok(acks.includes('env-1') && acks.includes('env-2'), `acks: ${acks.join(',')}`);
    assert.equal(stub.succeeded('chat.postMessage').length, 1);
    assert.equal(stub.succeeded('chat.postMessage')[0]?.params.text, 'You asked about order 12345. Is that correct?');
  });
});
