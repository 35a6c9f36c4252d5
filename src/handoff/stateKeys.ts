/**
 * Conversation-state property names of the human handoff; renaming one orphans conversations in
 * a handoff. Kept apart from createHandoffLayer so the state schema can name them without
 * loading the Slack SDK.
 */
export const HandoffStateKeys = {
  pointer: 'handoff',
  recent: 'handoffRecent',
} as const;
