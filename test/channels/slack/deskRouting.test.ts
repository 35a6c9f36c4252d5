import { strict as assert } from 'node:assert';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import restify from 'restify';
import { MemoryDeliveryInbox } from '../../../src/channels/slack/store/DeliveryInbox';
import { MemoryKeyStore } from '../../../src/channels/slack/store/EventDeduplicator';
import { createSlackBridge, type SlackBridge, type SlackDeskTraffic } from '../../../src/channels/slack/SlackBridge';
import { readSlackConfig } from '../../../src/config/slack';
import { startSlackApiStub, type SlackApiStub } from '../../support/slackApiStub';
import { channelMessage, dm, SIGNING_SECRET, SlackSender } from './support/slackTraffic';

/** A stand-in for the handoff desk: owns one channel, records what it was handed. */
class RecordingDesk implements SlackDeskTraffic {
  readonly actionPrefix = 'desk_';
  readonly handled: Array<Record<string, unknown>> = [];
  owns(body: Record<string, unknown>): boolean {
    const event = body.event as { channel?: string } | undefined;
    const channel = event?.channel ?? (body.channel as { id?: string } | undefined)?.id;
    return channel === 'CDESK';
  }
  async handle(body: Record<string, unknown>): Promise<void> {
    this.handled.push(body);
  }
}

describe('Slack bridge: agent desk traffic', () => {
  let stub: SlackApiStub;
  let server: restify.Server;
  let bridge: SlackBridge;
  let sender: SlackSender;
  let turns: number;
  const desk = new RecordingDesk();

  before(async () => {
    stub = await startSlackApiStub();
    const config = readSlackConfig({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: stub.url, SLACK_POST_INTERVAL_MS: '0' });
    turns = 0;
    bridge = await createSlackBridge({
      config: config!,
      bot: {
        run: async () => {
          turns += 1;
        },
      },
      logger: pino({ level: 'silent' }),
      onTurnError: async (_context, error) => {
        throw error;
      },
      desk,
      stores: { keys: new MemoryKeyStore(), inbox: new MemoryDeliveryInbox(), kind: 'memory' },
    });
    server = restify.createServer();
    bridge.mount(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    sender = new SlackSender(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  after(async () => {
    await bridge.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await stub.stop();
  });

  it('should hand desk-channel events to the desk once, however often Slack delivers them', async () => {
    const agentMessage = channelMessage('UAGENT', 'CDESK', 'I am on it', { thread_ts: '1.1' });

    for (const retryNum of [undefined, 1, 2]) await sender.event(agentMessage, retryNum === undefined ? {} : { retryNum });
    await bridge.idle();

    assert.equal(desk.handled.length, 1);
    assert.equal(turns, 0, 'desk traffic is not a customer turn');
  });

  it('should hand desk button clicks to the desk, and customer traffic to the bot', async () => {
    await sender.interaction({
      type: 'block_actions',
      user: { id: 'UAGENT', team_id: 'T0TEST' },
      team: { id: 'T0TEST' },
      channel: { id: 'CDESK' },
      actions: [{ action_id: 'desk_claim', type: 'button', value: 'ticket-1', action_ts: '2.2' }],
    });
    await sender.event(dm('U1', 'D1', 'hi'));
    await bridge.idle();

    assert.equal(desk.handled.length, 2);
    assert.equal(turns, 1);
  });
});
