import { ActivityTypes, type Activity, type StatePropertyAccessor, type TurnContext } from 'botbuilder-core';
import type { TranscriptLine } from './ticket';

/** The recent lines kept in conversation state (saved with the turn: no extra round trip). */
export interface RecentLines {
  lines: TranscriptLine[];
}

/** Longest line kept; agents need the gist, not an essay. */
const MAX_LINE_CHARS = 500;

/**
 * Keeps the last few lines of each conversation in conversation state, so a ticket can show
 * agents what happened before the handoff on any channel and from any instance, whether or not
 * a transcript store is configured.
 */
export class RecentTranscript {
  constructor(
    private readonly accessor: StatePropertyAccessor<RecentLines>,
    private readonly maxLines: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records the customer's message and the bot's replies of this turn. */
  async record(context: TurnContext): Promise<void> {
    if (this.maxLines === 0) return;
    const recent = await this.accessor.get(context, { lines: [] });
    this.push(recent, 'customer', describe(context.activity));
    context.onSendActivities(async (_ctx, activities, next) => {
      for (const activity of activities) {
        if (activity.type === ActivityTypes.Message) this.push(recent, 'bot', describe(activity));
      }
      return next();
    });
  }

  /** The recorded lines, oldest first. */
  async lines(context: TurnContext): Promise<TranscriptLine[]> {
    const recent = await this.accessor.get(context, { lines: [] });
    return [...recent.lines];
  }

  private push(recent: RecentLines, from: TranscriptLine['from'], text: string): void {
    if (text === '') return;
    recent.lines.push({ from, text: truncate(text), at: this.now() });
    if (recent.lines.length > this.maxLines) recent.lines.splice(0, recent.lines.length - this.maxLines);
  }
}

/** Text plus a word about buttons and attachments, which agents would otherwise not see. */
export function describe(activity: Partial<Activity>): string {
  const parts: string[] = [];
  const text = (activity.text ?? '').trim();
  if (text) parts.push(text);
  const buttons = activity.suggestedActions?.actions?.map((a) => a.title ?? String(a.value)) ?? [];
  if (buttons.length > 0) parts.push(`[buttons: ${buttons.join(' | ')}]`);
  for (const attachment of activity.attachments ?? []) {
    const label = attachment.name ?? attachment.contentType;
    parts.push(attachment.contentUrl ? `[attachment: ${label} ${attachment.contentUrl}]` : `[attachment: ${label}]`);
  }
  return parts.join(' ');
}

function truncate(text: string): string {
  const chars = Array.from(text);
  return chars.length <= MAX_LINE_CHARS ? text : `${chars.slice(0, MAX_LINE_CHARS - 1).join('')}…`;
}
