import type { Activity, Attachment } from 'botbuilder';

/**
 * One bot reply as readable text, the form conversation files compare against:
 *
 * ```
 * You asked about order 12345. Is that correct?
 * [Yes] [No]
 * ```
 *
 * Suggested actions become `[title]` on one line; an Adaptive Card becomes `<card>` followed
 * by its text blocks, facts (`title: value`) and actions; a hero card its title, text and
 * buttons; any other attachment `<attachment content-type>`.
 */
export function renderReply(activity: Partial<Activity>): string {
  const lines: string[] = [];
  if (activity.text) lines.push(activity.text);
  for (const attachment of activity.attachments ?? []) lines.push(...renderAttachment(attachment));
  const actions = activity.suggestedActions?.actions ?? [];
  if (actions.length > 0) lines.push(actions.map((a) => `[${a.title ?? String(a.value)}]`).join(' '));
  return lines.join('\n');
}

function renderAttachment(attachment: Attachment): string[] {
  const content = attachment.content as Record<string, unknown> | undefined;
  if (attachment.contentType === 'application/vnd.microsoft.card.adaptive' && content) {
    const lines = ['<card>'];
    collectAdaptive(content.body, lines);
    const actions = Array.isArray(content.actions) ? (content.actions as Record<string, unknown>[]) : [];
    if (actions.length > 0) lines.push(actions.map((a) => `[${String(a.title ?? '')}]`).join(' '));
    return lines;
  }
  if (attachment.contentType === 'application/vnd.microsoft.card.hero' && content) {
    const lines = ['<hero card>'];
    for (const field of ['title', 'subtitle', 'text']) if (typeof content[field] === 'string') lines.push(content[field] as string);
    const buttons = Array.isArray(content.buttons) ? (content.buttons as Record<string, unknown>[]) : [];
    if (buttons.length > 0) lines.push(buttons.map((b) => `[${String(b.title ?? b.value ?? '')}]`).join(' '));
    return lines;
  }
  return [`<attachment ${attachment.contentType}>`];
}

/** Walks Adaptive Card elements in order, keeping what a person reads. */
function collectAdaptive(elements: unknown, lines: string[]): void {
  if (!Array.isArray(elements)) return;
  for (const element of elements as Record<string, unknown>[]) {
    if (element.type === 'TextBlock' && typeof element.text === 'string') lines.push(element.text);
    if (element.type === 'FactSet' && Array.isArray(element.facts)) {
      for (const fact of element.facts as { title?: string; value?: string }[]) lines.push(`${fact.title ?? ''}: ${fact.value ?? ''}`);
    }
    collectAdaptive(element.items, lines);
    if (Array.isArray(element.columns)) for (const column of element.columns as Record<string, unknown>[]) collectAdaptive(column.items, lines);
  }
}
