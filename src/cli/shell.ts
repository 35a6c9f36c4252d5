import readline from 'node:readline';
import { stdin, stdout } from 'node:process';
import type { Activity } from 'botbuilder';
import { createApp, type BotApp } from '../app';
import { loadConfig } from '../config/config';
import { ConversationRecorder } from '../conversationTests/record';
import { SupportBotError } from '../errors';
import { createLogger } from '../telemetry/logger';

/**
 * `npm run shell`: chat with the bot in a terminal, as `rasa shell` does. It starts the bot in
 * this process (or talks to a running one with --url) and drives turns over HTTP with
 * expectReplies, so the shell exercises exactly what a channel would. Buttons are shown as
 * numbered choices; typing the number picks it. `--record FILE` writes the session as a
 * conversation test (`.yml` or `.transcript`, see docs/testing.md) when it ends.
 */
async function main(): Promise<void> {
  const urlFlag = process.argv.indexOf('--url');
  let app: BotApp | undefined;
  let baseUrl: string;
  if (urlFlag >= 0 && process.argv[urlFlag + 1]) {
    baseUrl = (process.argv[urlFlag + 1] as string).replace(/\/+$/, '');
  } else {
    const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
    app = await createApp(config, { logger: createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }) });
    baseUrl = (await app.listen()).url;
  }

  const recordFlag = process.argv.indexOf('--record');
  const recordFile = recordFlag >= 0 ? process.argv[recordFlag + 1] : undefined;
  if (recordFlag >= 0 && (!recordFile || !/\.(ya?ml|transcript)$/i.test(recordFile))) {
    console.error('--record needs a file ending in .yml, .yaml or .transcript, e.g. --record test/conversations/my-flow.yml');
    process.exit(2);
  }
  const recorder = recordFile ? new ConversationRecorder('shell') : undefined;

  const conversationId = `shell-${Date.now()}`;
  let choices: string[] = [];
  const send = async (fields: Partial<Activity>): Promise<void> => {
    const activity: Partial<Activity> = {
      channelId: 'shell',
      serviceUrl: baseUrl,
      deliveryMode: 'expectReplies',
      from: { id: 'shell-user', name: 'You', role: 'user' },
      recipient: { id: 'bot', name: 'Order bot', role: 'bot' },
      conversation: { id: conversationId } as Activity['conversation'],
      type: 'message',
      ...fields,
    };
    const response = await fetch(`${baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    });
    if (!response.ok) {
      console.log(`(the bot answered HTTP ${response.status}: ${await response.text()})`);
      return;
    }
    const body = (await response.json()) as { activities?: Partial<Activity>[] };
    recorder?.add(activity, body.activities ?? []);
    choices = [];
    for (const reply of body.activities ?? []) {
      if (reply.type !== 'message') continue;
      if (reply.text) console.log(`\x1b[36mBot:\x1b[0m ${reply.text}`);
      for (const action of reply.suggestedActions?.actions ?? []) {
        choices.push(String(action.value ?? action.title));
        console.log(`  ${choices.length}. ${action.title}`);
      }
    }
  };

  console.log('Talk to the order bot. Type /quit to leave.');
  await send({ type: 'conversationUpdate', membersAdded: [{ id: 'shell-user', name: 'You' }] });
  const rl = readline.createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  const prompt = (): void => {
    stdout.write('\x1b[33mYou:\x1b[0m ');
  };
  try {
    prompt();
    // Iterating (rather than question()) keeps piped input: lines are queued, never dropped.
    for await (const raw of rl) {
      const line = raw.trim();
      if (line === '/quit' || line === '/exit') break;
      if (!stdin.isTTY) stdout.write(`${line}\n`);
      const picked = /^\d+$/.test(line) ? choices[Number(line) - 1] : undefined;
      await send({ text: picked ?? line });
      prompt();
    }
  } finally {
    rl.close();
    await app?.close();
    if (recorder && recordFile) {
      recorder.write(recordFile);
      console.log(`\nRecorded ${recorder.size} turns to ${recordFile}; run them with npm run test:conversations.`);
    }
  }
}

main().catch((err: unknown) => {
  if (err instanceof SupportBotError) console.error(`Cannot start the bot [${err.code}]: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
