import type { StatePropertyAccessor } from 'botbuilder-core';
import { MainDialog, type MainDialogDependencies } from './MainDialog';
import { OrderStatusDialog, type VerificationMemory } from './OrderStatusDialog';

/** What the dialog tree needs from the composition root. */
export interface DialogTreeDependencies extends Omit<MainDialogDependencies, 'orderStatus'> {
  /** Wrong order IDs the form accepts before it gives up. */
  maxOrderIdAttempts: number;
}

/**
 * Builds the dialog tree: the order-status form, injected into the main dialog. The one place
 * that knows which dialogs make up the bot (the app and the test bots both call it).
 */
export function createMainDialog(deps: DialogTreeDependencies): MainDialog {
  const { maxOrderIdAttempts, ...main } = deps;
  const orderStatus = new OrderStatusDialog(
    deps.orders,
    deps.handoff,
    { pattern: deps.orderIdRules.pattern, maxAttempts: maxOrderIdAttempts },
    deps.events,
    deps.verification,
    deps.flags as StatePropertyAccessor<VerificationMemory>,
  );
  return new MainDialog({ ...main, orderStatus });
}
