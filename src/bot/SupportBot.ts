import { ActivityHandler, type ConversationState, type StatePropertyAccessor, type TurnContext, type UserState } from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { MainDialog, MainFlags } from '../../dialogs/MainDialog';
import { Messages } from '../../dialogs/messages';
import { shouldWelcome } from '../channels/teams/welcome';

export interface SupportBotOptions {
  /** Where the customer's profile lives (saved by the TurnSerializer with the conversation). */
  userState: UserState;
  dialog: MainDialog;
  dialogState: StatePropertyAccessor<DialogState>;
  /** Longest message the bot reads; longer ones get a polite refusal and change no state. */
  maxTextLength: number;
  /**
   * Runs before the dialogs on every message (the human handoff's gate): while an agent has the
   * conversation, messages are relayed to them and neither recognised nor answered by the bot.
   */
  gate?: MessageGate;
}

/** Sees every message first; resolves true when it handled the message and the bot must not. */
export interface MessageGate {
  onMessage(context: TurnContext): Promise<boolean>;
}

/**
 * What the bot keeps about a customer across conversations (user state). It is small on
 * purpose: `npm run user-data -- export|delete <userId>` returns or erases all of it.
 */
export interface UserProfile {
  /** Display name as the channel last reported it. */
  name?: string;
  firstSeen: string;
  lastSeen: string;
  messages: number;
}

/** Property names inside conversation state; renaming one orphans stored conversations. */
export const StateKeys = {
  dialogState: 'dialogState',
  mainFlags: 'mainFlags',
} as const;

/** Property names inside user state (persisted like {@link StateKeys}). */
export const UserStateKeys = {
  profile: 'profile',
} as const;

export function createStateAccessors(conversationState: ConversationState): {
  dialogState: StatePropertyAccessor<DialogState>;
  mainFlags: StatePropertyAccessor<MainFlags>;
} {
  return {
    dialogState: conversationState.createProperty<DialogState>(StateKeys.dialogState),
    mainFlags: conversationState.createProperty<MainFlags>(StateKeys.mainFlags),
  };
}

/**
 * The one bot every channel reaches. It screens messages the dialogs cannot use, runs the main
 * dialog and greets new members. It does not save state: the storage layer's TurnSerializer
 * (src/storage/TurnSerializer.ts), registered first on every adapter, loads conversation and user
 * state before the turn and saves both once after it, in the app and in the test bots alike.
 */
export class SupportBot extends ActivityHandler {
  private readonly profile: StatePropertyAccessor<UserProfile>;

  constructor(private readonly options: SupportBotOptions) {
    super();
    this.profile = options.userState.createProperty<UserProfile>(UserStateKeys.profile);
    this.onMessage(async (context, next) => {
      if (!(await this.options.gate?.onMessage(context))) await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // Teams: once per install, not for every colleague who joins a team (see shouldWelcome).
      if (shouldWelcome(context.activity)) await context.sendActivity(Messages.greet);
      await next();
    });
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const text = (context.activity.text ?? '').trim();
    if (text.length > this.options.maxTextLength) {
      await context.sendActivity(Messages.tooLong(this.options.maxTextLength));
      return;
    }
    if (text === '') {
      // Attachments with no words: say what we can read. Nothing at all: nothing to answer.
      if ((context.activity.attachments ?? []).length > 0) await context.sendActivity(Messages.attachmentOnly);
      return;
    }
    context.activity.text = text;
    await this.touchProfile(context);
    await this.options.dialog.run(context, this.options.dialogState);
  }

  private async touchProfile(context: TurnContext): Promise<void> {
    const now = new Date().toISOString();
    const profile = await this.profile.get(context, { firstSeen: now, lastSeen: now, messages: 0 });
    profile.lastSeen = now;
    profile.messages += 1;
    const name = context.activity.from?.name;
    if (name) profile.name = name;
  }
}
