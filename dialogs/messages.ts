/**
 * Every sentence the dialogs say, in one place, so wording can be reviewed (and later
 * translated) without reading dialog code.
 */
export const Messages = {
  greet: 'Hello! I\'m the order assistant. I can check the status of an order: just tell me its order ID (for example "where is my order 12345?").',
  capabilities: 'I can look up the status of an order, and connect you with a person if I cannot help.',
  goodbye: 'Goodbye! Have a great day.',
  help: 'I can check where your order is. Say "where is my order" and give me the order ID (for example 12345 or ABC123). You can say "cancel" at any time, or "talk to a person" to reach our support team.',
  helpDuringOrderId:
    'Your order ID is in your confirmation e-mail: 4 to 20 letters and digits, for example 12345 or ABC-1234. You can also say "cancel" to stop or "talk to a person".',
  helpDuringConfirm: 'Please answer yes if the order ID is right, or no to give me a different one. You can also say "cancel".',
  nothingToCancel: "There's nothing to cancel right now. How else can I help?",
  cancelled: "OK, I've stopped. Is there anything else I can help you with?",
  askOrderId: 'What is your order ID?',
  askCorrectOrderId: 'Sorry about that. What is the correct order ID?',
  invalidOrderId: (text: string): string =>
    `"${truncate(text, 40)}" doesn't look like an order ID. Order IDs are 4 to 20 letters and digits with at least one digit, for example 12345 or ABC-1234. What is your order ID?`,
  tooManyAttempts: "I couldn't read an order ID from that. I can explain where to find it, or connect you with a person.",
  confirmOrderId: (orderId: string): string => `You asked about order ${orderId}. Is that correct?`,
  confirmRetry: (orderId: string): string => `Please answer yes or no: is ${orderId} the right order ID?`,
  orderNotFound: (orderId: string): string =>
    `I couldn't find any order with the ID ${orderId}. Please double-check the ID in your confirmation e-mail and try again.`,
  askVerification: 'To keep your order private, please tell me the e-mail address or the postcode on the order.',
  verificationRetry: 'Please type the e-mail address or the postcode on the order (or say "cancel").',
  helpDuringVerification:
    'I need the e-mail address or the postcode the order was placed with, to make sure only you see it. You can also say "cancel" or "talk to a person".',
  noMatchingOrder:
    "I couldn't find an order matching those details. Please check the order ID and the e-mail address or postcode, or I can connect you with a person.",
  verificationLockedOut:
    "For your security I can't check order details in this conversation for a while, after several unsuccessful attempts. I can connect you with a person who can help.",
  yourOrders: (lines: string[]): string => `Here are your orders:\n${lines.join('\n')}\nTell me an order ID for its details.`,
  noOrdersForYou: "I couldn't find any orders for your account. If you have an order ID, tell me and I'll check it.",
  listNeedsSignIn: 'I can only list your orders when you are signed in to this chat. Tell me an order ID and I will check it for you.',
  backendUnavailable:
    "I'm sorry, I can't reach the order system right now, so I can't check your order. Please try again in a few minutes, or I can connect you with a person.",
  fallback: "Sorry, I didn't understand that. I can check the status of an order if you give me its order ID, or connect you with a person.",
  didYouMean: 'I am not sure I understood. Did you mean one of these?',
  offerHuman: "I'm having trouble understanding. Would you like to talk to a person?",
  declineHuman: 'No problem. You can ask me about an order at any time.',
  startOverHint: 'Which order would you like me to check? Tell me its order ID.',
  attachmentOnly: 'I can only read text messages for now. Please type your question, for example "where is my order 12345?".',
  tooLong: (max: number): string => `That message is longer than I can read (${max} characters at most). Could you send a shorter one?`,
  rateLimited: "You're sending messages faster than I can read them, so I skipped some. Please wait a few seconds and send your question again.",
  turnError: 'Sorry, something went wrong on my side. Please try again in a moment.',
  askFeedback: 'Was this helpful?',
  thanksHelpful: 'Thanks for letting me know! Is there anything else I can help you with?',
  thanksNotHelpful: "Thanks for telling me, and sorry it didn't help. You can ask about another order, or I can connect you with a person.",
  noAgentConnected:
    "I've noted that you'd like to talk to a person. Live agents aren't connected to this assistant yet, so please contact our support team by e-mail, or ask me about an order.",
} as const;

/** Button labels the dialogs offer; tapping one sends its label as text. */
export const Buttons = {
  yes: 'Yes',
  no: 'No',
  checkOrder: 'Check an order',
  talkToPerson: 'Talk to a person',
  help: 'Help',
  noThanks: 'No, thanks',
  helpful: '👍 Yes',
  notHelpful: '👎 No',
} as const;

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
