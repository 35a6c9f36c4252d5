import type { RatingScore } from './ticket';

/**
 * Everything the handoff layer says to customers, in one place for review and translation.
 * Buttons are channel-neutral suggested actions: tapping one sends its label as text.
 */
export const HandoffButtons = {
  cancel: 'Cancel',
  noThanks: 'No, thanks',
} as const;

/** The one-click satisfaction rating: button label → score. */
export const RatingOptions: ReadonlyArray<{ label: string; score: RatingScore }> = [
  { label: 'Great', score: 3 },
  { label: 'OK', score: 2 },
  { label: 'Poor', score: 1 },
];

export const HandoffMessages = {
  queued: (position: number, wait: string | undefined): string =>
    `I'm finding an agent for you. You're number ${position} in the queue` +
    (wait ? ` and the expected wait is ${wait}.` : '.') +
    ' Anything you write now is passed on to the agent. Say "cancel" to go back to the assistant.',
  stillQueued: (position: number): string => `Thanks, I've added that to your request. You're number ${position} in the queue.`,
  claimed: (agent: string): string => `You're now chatting with ${agent}.`,
  resolved: (agent: string): string => `${agent} has closed this chat, and you're back with the order assistant. How did we do?`,
  closedWhileQueued: "Our support team has closed your request. You're back with the order assistant; how can I help?",
  ratingThanks: 'Thanks for your feedback! Is there anything else I can help you with?',
  cancelled: "OK, I've cancelled your request for an agent. You're back with the order assistant; how can I help?",
  queueTimeout: (wait: string): string =>
    `I'm sorry, no agent became free within ${wait}. If you like, type a message now and our support team will get back to you, or tap "${HandoffButtons.noThanks}".`,
  afterHours: (hours: string, next: string | undefined): string =>
    `Our support team is available ${hours} and is not online right now` +
    (next ? ` (we open again ${next}).` : '.') +
    ` If you like, type a message now and we'll get back to you, or tap "${HandoffButtons.noThanks}".`,
  messageTaken: "Thanks, I've passed your message to our support team; they will get back to you. Is there anything else I can help you with?",
  messageDeclined: "No problem. You're back with the order assistant; how can I help?",
  idleClosed: (agent: string): string =>
    `This chat with ${agent} was closed because nobody wrote for a while. You're back with the order assistant; say "talk to a person" if you need us again.`,
  tooManyRequests:
    "I've passed on several requests for a person from here in the last hour, so I can't open another one right now. Please try again later, or keep chatting with me.",
  notTheirTicket:
    "Someone else in this conversation is talking with our support team right now, and only their messages reach the agent. I'll be able to help you once they're done.",
  relayFailed: "Sorry, I couldn't pass that on to our support team. Please send it again in a moment.",
  deskUnavailable: "I'm sorry, I can't reach our support team right now. Please try again in a few minutes, or ask me about an order.",
} as const;

/** Words that take a queued customer back to the bot. */
const CANCEL = /^\s*(cancel|stop|quit|never ?mind|nevermind|forget it)\s*[.!]*\s*$/i;
/** Words that decline leaving a message. */
const DECLINE = /^\s*(no|nope|no,? thanks?( you)?|no thank you|cancel|never ?mind)\s*[.!]*\s*$/i;

export function isCancel(text: string): boolean {
  return CANCEL.test(text);
}

export function isDecline(text: string): boolean {
  return DECLINE.test(text);
}

/**
 * The rating a customer's reply stands for: a button label. Typed numbers are not read as
 * scores: on button-less channels the rendering middleware already turns "1" into the first
 * label ("Great"), and a typed "1" meaning "Poor" elsewhere would contradict that.
 */
export function parseRating(text: string): { score: RatingScore; label: string } | undefined {
  const trimmed = text.trim().toLowerCase();
  return RatingOptions.find((o) => o.label.toLowerCase() === trimmed);
}
