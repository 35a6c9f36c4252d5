/** What customers are told when their stored conversation cannot be continued as it was. */
export const StateMessages = {
  /** The stored state is from a version (or names a step) this code cannot read. */
  startedAfresh: "I've been updated and lost track of what we were doing; what can I help you with?",
  /** A newer version wrote the state; this older instance leaves it for a newer one to answer. */
  newerVersion: "I'm being updated right now. Please send your message again in a moment.",
  /** The same failure twice in a row: the dialogs were started over. */
  repeatedFailure: 'Something kept going wrong in our conversation, so I have started it over. What can I help you with?',
} as const;
