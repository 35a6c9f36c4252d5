import type { Activity } from 'botbuilder';

/**
 * What a channel can show, as far as this bot's replies are concerned. The dialogs write
 * channel-neutral replies (text, imBack suggested actions, an `orderStatus` value); this table
 * decides how each channel gets them.
 */
export interface ChannelCapabilities {
  /** Suggested actions shown as-is when there are at most this many; 0: never. */
  maxSuggestedActions: number;
  /** When there are more actions than that: buttons on a card (Teams) or numbered text. */
  overflow: 'heroCard' | 'numberedText';
  /** Adaptive Card schema version the channel renders, or undefined for text only. */
  adaptiveCardVersion?: '1.5' | '1.4';
  /** True: leave the activity alone (the channel's own adapter renders it, e.g. Slack Block Kit). */
  passthrough: boolean;
}

const TEXT_ONLY: ChannelCapabilities = { maxSuggestedActions: 0, overflow: 'numberedText', passthrough: false };

const BY_CHANNEL: Record<string, ChannelCapabilities> = {
  // Web Chat over Direct Line (self-hosted or Azure) and the Emulator: everything, newest cards.
  webchat: { maxSuggestedActions: 100, overflow: 'numberedText', adaptiveCardVersion: '1.5', passthrough: false },
  directline: { maxSuggestedActions: 100, overflow: 'numberedText', adaptiveCardVersion: '1.5', passthrough: false },
  directlinespeech: { maxSuggestedActions: 100, overflow: 'numberedText', adaptiveCardVersion: '1.5', passthrough: false },
  emulator: { maxSuggestedActions: 100, overflow: 'numberedText', adaptiveCardVersion: '1.5', passthrough: false },
  // Teams shows at most three suggested actions (in every scope); more become card buttons.
  // Cards stay on 1.4 so the mobile clients render them too.
  msteams: { maxSuggestedActions: 3, overflow: 'heroCard', adaptiveCardVersion: '1.4', passthrough: false },
  // Slack replies are rendered as Block Kit by the Slack adapter itself.
  slack: { maxSuggestedActions: 0, overflow: 'numberedText', passthrough: true },
  // Channels with their own quick-reply buttons but no Adaptive Cards.
  telegram: { maxSuggestedActions: 100, overflow: 'numberedText', passthrough: false },
  facebook: { maxSuggestedActions: 10, overflow: 'numberedText', passthrough: false },
  line: { maxSuggestedActions: 13, overflow: 'numberedText', passthrough: false },
  kik: { maxSuggestedActions: 20, overflow: 'numberedText', passthrough: false },
  // `npm run shell` prints suggested actions as numbered choices itself.
  shell: { maxSuggestedActions: 100, overflow: 'numberedText', passthrough: false },
};

/** Capabilities of the channel an activity belongs to; unknown channels (sms, email, ...) get text. */
export function capabilitiesOf(activity: Partial<Activity>): ChannelCapabilities {
  return BY_CHANNEL[activity.channelId ?? ''] ?? TEXT_ONLY;
}
