/**
 * Dialog IDs are stored in conversation state: renaming or removing one breaks conversations in
 * flight unless STATE_VERSION is bumped with a migration (src/state/migrations.ts). The test
 * test/state/persistedIds.test.ts fails until you do; docs/operations.md "Upgrading" says how.
 */
export const DialogIds = {
  main: 'mainDialog',
  mainWaterfall: 'mainDialog.waterfall',
  orderStatus: 'orderStatusDialog',
  orderStatusWaterfall: 'orderStatusDialog.waterfall',
  orderIdPrompt: 'orderStatusDialog.orderIdPrompt',
  confirmPrompt: 'orderStatusDialog.confirmPrompt',
  /** Asks for the e-mail address or postcode on the order (knowledge verification). */
  verificationPrompt: 'orderStatusDialog.verificationPrompt',
} as const;

/**
 * The steps of each waterfall, in order. A waterfall stores the index of its current step, so
 * inserting, removing or reordering a step changes what stored indexes mean: these names are
 * persisted identifiers too. Keep each list in the order the dialog passes its steps.
 * How to change either list safely: docs/operations.md, "Upgrading".
 */
export const WaterfallSteps: Readonly<Record<string, readonly string[]>> = {
  [DialogIds.mainWaterfall]: ['route', 'finish'],
  [DialogIds.orderStatusWaterfall]: ['askOrderId', 'confirm', 'access', 'answer'],
};
