import type { Activity, RecognizerResult, Storage, StoreItems, TurnContext } from 'botbuilder-core';
import type { DialogContext } from 'botbuilder-dialogs';
import type { ConversationEvents } from '../../dialogs/conversationEvents';
import type { HandoffRequest, HandoffRequester, TurnRecognizer } from '../../dialogs/ports';
import { secondsSince, type BotMetrics } from './metrics';

/**
 * Counts every recognition by top intent and observes its confidence; the None share of
 * `supportbot_recognitions_total` is the rate of messages the bot did not understand.
 */
export class InstrumentedRecognizer implements TurnRecognizer {
  constructor(
    private readonly inner: TurnRecognizer,
    private readonly metrics: Pick<BotMetrics, 'recognized'>,
  ) {}

  async recognize(dialogContext: DialogContext, activity: Partial<Activity>): Promise<RecognizerResult> {
    const result = await this.inner.recognize(dialogContext, activity);
    const top = topIntent(result);
    this.metrics.recognized(top.intent, top.score);
    return result;
  }
}

function topIntent(result: RecognizerResult): { intent: string; score: number } {
  let best = { intent: 'None', score: 0 };
  for (const [intent, value] of Object.entries(result.intents ?? {})) {
    const score = value?.score ?? 0;
    if (score > best.score) best = { intent, score };
  }
  return best;
}

/** Reports `handoff.requested` for every handoff, whichever dialog asked for it. */
export class InstrumentedHandoffRequester implements HandoffRequester {
  constructor(
    private readonly inner: HandoffRequester,
    private readonly events: ConversationEvents,
  ) {}

  async requestHandoff(context: TurnContext, request: HandoffRequest): Promise<void> {
    await this.events.record(context, { name: 'handoff.requested', reason: request.reason });
    await this.inner.requestHandoff(context, request);
  }
}

/**
 * Times every read, write and delete of bot state (`supportbot_storage_duration_seconds`) and
 * counts failures, whichever Storage sits underneath (memory or MongoDB). Errors pass through.
 */
export class InstrumentedStorage implements Storage {
  constructor(
    private readonly inner: Storage,
    private readonly metrics: Pick<BotMetrics, 'storage'>,
  ) {}

  read(keys: string[]): Promise<StoreItems> {
    return this.timed('read', () => this.inner.read(keys));
  }

  write(changes: StoreItems): Promise<void> {
    return this.timed('write', () => this.inner.write(changes));
  }

  delete(keys: string[]): Promise<void> {
    return this.timed('delete', () => this.inner.delete(keys));
  }

  private async timed<T>(op: 'read' | 'write' | 'delete', call: () => Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    try {
      const result = await call();
      this.metrics.storage(op, secondsSince(started), true);
      return result;
    } catch (err) {
      this.metrics.storage(op, secondsSince(started), false);
      throw err;
    }
  }
}
