/**
 * Export or delete everything stored about one user: `npm run user-data -- export|delete <userId>`;
 * `npm run user-data -- reencrypt` rewrites field-encrypted data with the current key.
 * Reads the same configuration as the bot (MONGODB_URI, MONGODB_DB, ...). Export prints JSON on
 * stdout; delete prints what it removed. Usage errors exit with 2, failures with 1.
 */
import { loadConfig } from '../config/config';
import { SupportBotError } from '../errors';
import { HandoffCollections, decodeTicketDocument, type TicketDocument } from '../storage/mongo/MongoHandoffStore';
import { createStorageLayer } from '../storage/createStorageLayer';
import { reencryptAll } from '../storage/encryption/reencrypt';
import { deleteUserData, exportUserData } from '../storage/userData';

const USAGE = `usage: npm run user-data -- <command> <userId> [--include-shared]
       npm run user-data -- reencrypt

commands:
  export <userId>     print everything stored about the user as JSON
  delete <userId>     delete it; conversations shared with other users are kept
                      unless --include-shared is given
  reencrypt           rewrite stored personal data with the first key of
                      DATA_ENCRYPTION_KEYS (after a key rotation, or after turning
                      DATA_ENCRYPTION on or off); safe while bots run
The user id is the channel's id for the person (for example a Teams or Slack user id).`;

async function main(argv: string[]): Promise<number> {
  const [command, userId, ...rest] = argv;
  if (command === 'reencrypt' && argv.length === 1) return reencrypt();
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
      extra: [
        {
          name: HandoffCollections.tickets,
          collection: layer.db!.collection(HandoffCollections.tickets),
          userField: 'customer.id',
          decode: (doc: object) => decodeTicketDocument(doc as TicketDocument, layer.cipher),
        },
      ],
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

async function reencrypt(): Promise<number> {
  const config = loadConfig();
  if (config.storage.kind !== 'mongodb') {
    console.error('reencrypt works on MongoDB only: set MONGODB_URI.');
    return 1;
  }
  if (config.storage.encryption.keys.length === 0) {
    console.error('reencrypt needs DATA_ENCRYPTION_KEYS (current key first, then the keys still in use).');
    return 1;
  }
  const layer = await createStorageLayer(config.storage);
  try {
    const report = await reencryptAll(
      {
        state: layer.userData!.state,
        transcripts: layer.userData!.transcripts,
        tickets: layer.db!.collection<TicketDocument>(HandoffCollections.tickets),
      },
      layer.cipher!,
    );
    console.log(JSON.stringify({ currentKey: layer.cipher!.currentKeyId, encrypt: layer.cipher!.encrypt, ...report }));
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
