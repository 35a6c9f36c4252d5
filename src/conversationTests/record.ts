import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Activity } from 'botbuilder';
import { stringify } from 'yaml';
import { literalExpected } from './match';
import { renderReply } from './render';

/**
 * Collects a live session (`npm run shell -- --record FILE`) and writes it as a conversation
 * test: YAML (`.yml`/`.yaml`) with every reply as its literal expected text, or an Emulator-style
 * `.transcript` (a JSON array of activities). Edit the YAML afterwards to put `{{any}}` where a
 * reply may vary.
 */
export class ConversationRecorder {
  private readonly activities: Partial<Activity>[] = [];
  private readonly turns: { user?: string; event?: 'join'; bot: string[] }[] = [];

  constructor(private readonly channel: string) {}

  /** One exchange: what was sent and the bot's message replies. */
  add(sent: Partial<Activity>, replies: Partial<Activity>[]): void {
    this.activities.push(sent, ...replies);
    const bot = replies.filter((r) => r.type === 'message').map((r) => literalExpected(renderReply(r)));
    if (sent.type === 'conversationUpdate') this.turns.push({ event: 'join', bot });
    else this.turns.push({ user: sent.text ?? '', bot });
  }

  get size(): number {
    return this.turns.length;
  }

  /** The YAML conversation file. */
  toYaml(name: string): string {
    const header = `# Recorded with npm run shell -- --record on ${new Date().toISOString().slice(0, 10)}.\n# Replace parts that may change with {{any}}, {{number}}, {{date}}, {{url}} or a /regex/.\n`;
    return header + stringify({ name, channel: this.channel, turns: this.turns }, { lineWidth: 0 });
  }

  /** The Emulator-style transcript. */
  toTranscript(): string {
    return `${JSON.stringify(this.activities, null, 2)}\n`;
  }

  /** Writes the file in the format its extension names. */
  write(file: string): void {
    const transcript = /\.transcript$/i.test(file);
    if (!transcript && !/\.ya?ml$/i.test(file)) throw new Error(`--record: the file must end in .yml, .yaml or .transcript, got ${file}`);
    const name = path
      .basename(file)
      .replace(/\.(ya?ml|transcript)$/i, '')
      .replace(/[-_]+/g, ' ');
    writeFileSync(file, transcript ? this.toTranscript() : this.toYaml(name));
  }
}
