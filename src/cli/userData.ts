/**
 * Export or delete everything stored about one user: `npm run user-data -- export|delete <userId>`.
 * Reads the same configuration as the bot (MONGODB_URI, MONGODB_DB, ...). Export prints JSON on
 * stdout; delete prints what it removed. Usage errors exit with 2, failures with 1.
 */
import { loadConfig } from '../config/config';
import { SupportBotError } from '../errors';
import { HandoffCollections } from '../handoff/store/MongoHandoffStore';
import { createStorageLayer } from '../storage/createStorageLayer';
import { deleteUserData, exportUserData } from '../storage/userData';

const USAGE = `usage: npm run user-data -- <command> <userId> [--include-shared]

commands:
  export <userId>     print everything stored about the user as JSON
  delete <userId>     delete it; conversations shared with other users are kept
                      unless --include-shared is given
The user id is the channel's id for the person (for example a Teams or Slack user id).`;

async function main(argv: string[]): Promise<number> {
  const [command, userId, ...rest] = argv;
  if ((command !== 'export' && command !== 'delete') || !userId || rest.some((a) => a !== '--include-shared')) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  if (config.storage.kind !== 'mongodb') {
    console.error('user-data works on MongoDB only: set MONGODB_URI (memory state lives only inside a running bot).');
    return 1;
  }
  const layer = await createStorageLayer(config.storage);
  try {
    const stores = {
      ...layer.userData!,
      // Handoff tickets keep the customer's id, name, recent lines and left messages.
      extra: [{ name: HandoffCollections.tickets, collection: layer.db!.collection(HandoffCollections.tickets), userField: 'customer.id' }],
    };
    if (command === 'export') {
      process.stdout.write(`${JSON.stringify(await exportUserData(stores, userId), null, 2)}\n`);
    } else {
      const removed = await deleteUserData(stores, userId, { includeSharedConversations: rest.includes('--include-shared') });
      console.log(JSON.stringify({ userId, removed }));
    }
    return 0;
  } finally {
    await layer.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const prefix = error instanceof SupportBotError ? `[${error.code}] ` : '';
    console.error(`user-data failed: ${prefix}${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
