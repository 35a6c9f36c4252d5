import { strict as assert } from 'node:assert';
import type { Activity } from 'botbuilder';
import { shouldWelcome } from '../../../src/channels/teams/welcome';
import { BotClient } from '../../support/botClient';
import type { BotApp } from '../../../src/app';
import { startTestApp } from '../../support/testApp';

const bot = { id: '28:bot', name: 'Order Assistant' };
const user = { id: '29:user', name: 'Ann' };

function update(channelId: string, conversationType: string, membersAdded: { id: string; name: string }[]): Partial<Activity> {
  return {
    type: 'conversationUpdate',
    channelId,
    recipient: bot,
    membersAdded,
    conversation: { id: 'c', conversationType, isGroup: conversationType !== 'personal', name: '' },
  };
}

describe('Welcome on install', () => {
  it('should welcome once when the app is added to a Teams team or group chat, not for every new colleague', () => {
    assert.equal(shouldWelcome(update('msteams', 'channel', [bot])), true);
    assert.equal(shouldWelcome(update('msteams', 'groupChat', [bot])), true);
    assert.equal(shouldWelcome(update('msteams', 'channel', [user])), false);
    assert.equal(shouldWelcome(update('msteams', 'channel', [])), false);
  });

  it('should welcome in a Teams personal chat on install, whoever the update names', () => {
    assert.equal(shouldWelcome(update('msteams', 'personal', [bot])), true);
    assert.equal(shouldWelcome(update('msteams', 'personal', [user])), true);
  });

  it('should welcome a joining user on other channels, never the bot itself', () => {
    assert.equal(shouldWelcome(update('webchat', 'personal', [user])), true);
    assert.equal(shouldWelcome(update('emulator', 'personal', [bot])), false);
    assert.equal(shouldWelcome(update('directline', 'personal', [bot, user])), true);
  });

  describe('through /api/messages', () => {
    let app: BotApp;
    let baseUrl: string;
    before(async () => {
      ({ app, url: baseUrl } = await startTestApp());
    });
    after(async () => {
      await app.close();
    });

    it('should greet a team when installed and stay quiet when a member joins it', async () => {
      const client = new BotClient(baseUrl, undefined, 'msteams');
      const conversation = { id: client.conversationId, conversationType: 'channel', isGroup: true };
      const installed = await client.send({
        type: 'conversationUpdate',
        text: undefined,
        recipient: { id: 'bot', name: 'bot' },
        conversation,
        membersAdded: [{ id: 'bot', name: 'bot' }],
      } as Partial<Activity>);
      assert.equal(installed.length, 1);
      assert.match(installed[0]?.text ?? '', /order assistant/);
      const joined = await client.send({
        type: 'conversationUpdate',
        text: undefined,
        recipient: { id: 'bot', name: 'bot' },
        conversation,
        membersAdded: [{ id: 'u2', name: 'Bob' }],
      } as Partial<Activity>);
      assert.equal(joined.length, 0);
    });
  });
});
