import path from 'node:path';
import { loadConversations } from '../../src/conversationTests/format';
import { ConversationRunner } from '../../src/conversationTests/runner';
import { silentLogger } from '../support/testBot';

/**
 * Conversation tests written as data: every `*.yml` and `*.transcript` in this folder (or in
 * CONVERSATIONS_DIR) is played against the real bot, one `it` per file. See docs/testing.md.
 */
const folder = path.resolve(process.env.CONVERSATIONS_DIR ?? __dirname);
const conversations = loadConversations(folder);

describe(`conversations (${path.relative(process.cwd(), folder) || '.'})`, () => {
  const runner = new ConversationRunner({ logger: silentLogger, baseEnv: { NODE_ENV: 'test', NLU_MODEL_FILE: 'none' } });

  after(() => runner.close());

  if (conversations.length === 0) {
    it('should find at least one conversation file', () => {
      throw new Error(`no *.yml or *.transcript conversation files in ${folder}`);
    });
  }
  for (const loaded of conversations) {
    if ('error' in loaded) {
      it(`should read ${path.basename(loaded.file)}`, () => {
        throw loaded.error;
      });
      continue;
    }
    const { spec } = loaded;
    it(`should hold: ${spec.name} (${path.basename(spec.file)})`, async () => {
      await runner.run(spec);
    });
  }
});
