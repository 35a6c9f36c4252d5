/** Dialog IDs are stored in conversation state: renaming one breaks conversations in flight. */
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
