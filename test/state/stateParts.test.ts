import { strict as assert } from 'node:assert';
import { ActivityTypes, ConversationState, MemoryStorage, TestAdapter, UserState } from 'botbuilder';
import { DialogIds } from '../../dialogs/dialogIds';
import { Messages } from '../../dialogs/messages';
import { IGNORE_CONVERSATION_EVENTS } from '../../dialogs/conversationEvents';
import { createStateAccessors, StateKeys, SupportBot, UserStateKeys } from '../../src/bot/SupportBot';
import { createTurnErrorHandler } from '../../src/bot/turnErrorHandler';
import { clearStaleDialogVersions, findUnreadableDialogState } from '../../src/state/dialogStack';
import { StateMessages } from '../../src/state/messages';
import { migrationPath, remapWaterfallSteps, renameDialogIds, type StateMigration } from '../../src/state/migrations';
import { failureReason, isTransient, StateGuard } from '../../src/state/StateGuard';
import { StorageUnavailableError } from '../../src/storage/errors';
import { silentLogger, createTestMainDialog, turnStateMiddleware } from '../support/testBot';

const CONVERSATION_KEY = 'test/conversations/Convo1/';

/** The real dialogs and a StateGuard with the given version and migrations, on TestAdapter. */
function harness(version: number, migrations: readonly StateMigration[]) {
  const storage = new MemoryStorage();
  const conversationState = new ConversationState(storage);
  const userState = new UserState(storage);
  const accessors = createStateAccessors(conversationState);
  const dialog = createTestMainDialog(accessors, { policy: 'none' });
  const bot = new SupportBot({ userState, dialog, dialogState: accessors.dialogState, maxTextLength: 2000 });
  const adapter = new TestAdapter((context) => bot.run(context)).use(turnStateMiddleware(conversationState, userState));
  adapter.onTurnError = createTurnErrorHandler(silentLogger, false);
  adapter.use(
    new StateGuard({
      conversationState,
      userState,
      root: dialog,
      dialogStateProperty: StateKeys.dialogState,
      dialogProperties: [StateKeys.dialogState, StateKeys.mainFlags],
      profileProperty: UserStateKeys.profile,
      events: IGNORE_CONVERSATION_EVENTS,
      logger: silentLogger,
      newerVersion: 'wait',
      version,
      migrations,
    }),
  );
  return { adapter, storage, dialog };
}

describe('versioned state: parts', () => {
  it('should migrate an older version it knows and continue the form where it was', async () => {
    const legacyPrompt = 'orderStatusDialog.legacyConfirmPrompt';
    const v1 = harness(1, []);
    await v1.adapter.send('where is my order 12345').assertReply(Messages.confirmOrderId('12345')).startTest();
    const items = await v1.storage.read([CONVERSATION_KEY]);
    const olderShape = JSON.parse(JSON.stringify(items[CONVERSATION_KEY]).replaceAll(DialogIds.confirmPrompt, legacyPrompt)) as Record<string, unknown>;
    assert.equal(olderShape.stateVersion, 1);

    const v2 = harness(2, [{ from: 1, description: 'confirm prompt renamed', conversation: renameDialogIds({ [legacyPrompt]: DialogIds.confirmPrompt }) }]);
    await v2.storage.write({ [CONVERSATION_KEY]: { ...olderShape, eTag: '*' } });
    await v2.adapter
      .send('yes')
      .assertReply((a) => assert.equal(a.type, ActivityTypes.Typing))
      .assertReply((a) => assert.match(a.text ?? '', /^Order 12345 is/))
      .startTest();
    const saved = (await v2.storage.read([CONVERSATION_KEY]))[CONVERSATION_KEY] as Record<string, unknown>;
    assert.equal(saved.stateVersion, 2);
  });

  it('should start afresh when no migration leads from the stored version', async () => {
    const v1 = harness(1, []);
    await v1.adapter.send('where is my order 12345').startTest();
    const items = await v1.storage.read([CONVERSATION_KEY]);
    const v3 = harness(3, [{ from: 2, description: 'only from 2' }]);
    await v3.storage.write({ [CONVERSATION_KEY]: { ...items[CONVERSATION_KEY], eTag: '*' } });
    await v3.adapter.send('yes').assertReply(StateMessages.startedAfresh).assertReply(Messages.capabilities).startTest();
  });

  it('should find the migration chain, or say there is none', () => {
    const chain: StateMigration[] = [
      { from: 1, description: 'a' },
      { from: 2, description: 'b' },
    ];
    assert.deepEqual(
      migrationPath(1, 3, chain)?.map((m) => m.description),
      ['a', 'b'],
    );
    assert.deepEqual(migrationPath(3, 3, chain), []);
    assert.equal(migrationPath(1, 4, chain), undefined);
  });

  it('should remap waterfall steps and rename nested IDs', () => {
    const state = {
      dialogState: {
        dialogStack: [
          {
            id: 'outer',
            state: {
              dialogs: {
                dialogStack: [
                  { id: 'wf', state: { stepIndex: 1 } },
                  { id: 'old', state: {} },
                ],
              },
            },
          },
        ],
      },
    };
    renameDialogIds({ old: 'new' })(state);
    remapWaterfallSteps('wf', [0, 2, 3])(state);
    assert.deepEqual(state.dialogState.dialogStack[0]?.state.dialogs.dialogStack, [
      { id: 'wf', state: { stepIndex: 2 } },
      { id: 'new', state: {} },
    ]);
  });

  it('should name what makes a stored stack unreadable', () => {
    const { dialog } = harness(1, []);
    const prompt = (id: string, state: unknown) => ({
      dialogStack: [
        {
          id: 'mainDialog',
          state: {
            dialogs: {
              dialogStack: [
                { id: 'mainDialog.waterfall', state: { stepIndex: 0, values: {} } },
                { id: 'orderStatusDialog', state: { dialogs: { dialogStack: [{ id, state }] } } },
              ],
            },
          },
        },
      ],
    });
    assert.equal(findUnreadableDialogState(dialog, undefined), undefined);
    assert.equal(findUnreadableDialogState(dialog, prompt(DialogIds.confirmPrompt, { options: {}, state: {} })), undefined);
    assert.match(findUnreadableDialogState(dialog, prompt('gone', {})) ?? '', /unknown dialog id 'gone'/);
    assert.match(findUnreadableDialogState(dialog, prompt(DialogIds.confirmPrompt, { state: {} })) ?? '', /unreadable prompt state/);
    assert.match(findUnreadableDialogState(dialog, prompt(DialogIds.orderStatusWaterfall, { stepIndex: 4 })) ?? '', /step 4 of 4/);
    assert.match(findUnreadableDialogState(dialog, { dialogStack: 'x' }) ?? '', /not a dialog stack/);
  });

  it('should clear only component fingerprints that differ from the running tree', () => {
    const { dialog } = harness(1, []);
    const current = dialog.dialogs.getVersion();
    const state = { dialogStack: [{ id: 'mainDialog', version: 'stale', state: { dialogs: { dialogStack: [] } } }] };
    assert.equal(clearStaleDialogVersions(dialog, state), 1);
    assert.equal('version' in state.dialogStack[0]!, false);
    const fresh = { dialogStack: [{ id: 'mainDialog', version: current, state: { dialogs: { dialogStack: [] } } }] };
    assert.equal(clearStaleDialogVersions(dialog, fresh), 0);
  });

  it('should tell transient failures from bugs, also when botbuilder wraps them', () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    assert.equal(isTransient(timeout), true);
    assert.equal(isTransient(new StorageUnavailableError('down')), true);
    assert.equal(isTransient(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
    assert.equal(isTransient(new Error('wrapped', { cause: timeout })), true);
    assert.equal(isTransient(Object.assign(new Error('step failed'), { error: timeout })), true);
    assert.equal(isTransient(new TypeError("Cannot read properties of undefined (reading 'x')")), false);
    assert.equal(isTransient(undefined), false);
  });

  it('should give the same reason for the same failure with other numbers, and another for another failure', () => {
    const a = failureReason(new Error("A dialog with an id of 'p-12' wasn't found (turn 3)"));
    assert.equal(a, failureReason(new Error("A dialog with an id of 'p-57' wasn't found (turn 4)")));
    assert.notEqual(a, failureReason(new TypeError("A dialog with an id of 'p-12' wasn't found (turn 3)")));
    assert.match(a, /^[0-9a-f]{16}$/, 'a hash: no message text is stored');
  });
});
