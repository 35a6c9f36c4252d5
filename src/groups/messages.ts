/** What the bot says about group conversations (src/groups), in one place. */

/** To someone who clicked buttons offered to another person (`owner` is how to name them). */
export const foreignClickNotice = (owner: string): string =>
  `Those buttons are for ${owner}, so I haven't changed anything. To ask about your own order, mention me with its order ID.`;

export const GroupMessages = {
  /** Added to a question where only @mentions reach the bot (Teams channels and group chats). */
  mentionWithOrderId: (bot: string): string => `Please mention me with the order ID (for example "@${bot} 12345"): I only see messages that mention me here.`,
  mentionWithAnswer: (bot: string): string => `Please mention me with your answer (for example "@${bot} yes"): I only see messages that mention me here.`,
  /** Offered with every question in a group conversation. */
  offerPrivate: (bot: string, mentionOnly: boolean): string =>
    `You can also say "${mentionOnly ? `@${bot} ` : ''}continue privately" and we'll carry on in a private chat.`,
  /** Before personal details are typed into a shared conversation. */
  privateBeforeDetails: 'Everyone here can read your answer, so you may prefer to say "continue privately".',
  movedPrivately: "I've sent you a private message: let's carry on there.",
  continuedPrivately: "Let's continue here, privately, where we left off in the group conversation.",
  nothingToCarry: "Let's continue here, privately. Tell me an order ID and I'll check it.",
  privateUnavailable: "I couldn't open a private chat with you (in Teams, the app must be installed for you personally). Let's carry on here instead.",
  notInGroup: "We're already talking privately.",
  detailsSentPrivately: "I've sent you the details privately.",
  detailsPrivateFailed:
    "I couldn't send you the details privately (in Teams, the app must be installed for you personally), and I don't share order details in a group conversation. Please message me directly.",
} as const;

/** Words that ask to move a group conversation's form to a private chat. */
export function asksToContinuePrivately(text: string | undefined): boolean {
  const t = (text ?? '')
    .trim()
    .toLowerCase()
    .replace(/[.!]+$/, '');
  return t === 'continue privately' || t === 'private' || t === 'privately' || t === 'dm me' || t === 'continue in private';
}
