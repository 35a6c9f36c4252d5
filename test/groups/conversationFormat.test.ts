import { strict as assert } from 'node:assert';
import { parseConversationYaml } from '../../src/conversationTests/format';

describe('groups: conversation-test files with several people', () => {
  it("should read group: true and each turn's speaker", () => {
    const spec = parseConversationYaml(
      ['group: true', 'turns:', '  - as: Alice', '    user: hi', '    bot: [hello]', '  - user: hi', '    bot: [hello]'].join('\n'),
      'x.yml',
    );
    assert.equal(spec.group, true);
    assert.deepEqual(
      spec.turns.map((t) => t.as),
      ['Alice', undefined],
    );
  });

  it('should refuse a speaker outside a group conversation, and a speaker name that is not a name', () => {
    assert.throws(
      () => parseConversationYaml(['turns:', '  - as: Alice', '    user: hi', '    bot: [hello]'].join('\n'), 'x.yml'),
      /x\.yml: turn 1: "as" needs "group: true"/,
    );
    assert.throws(
      () => parseConversationYaml(['group: true', 'turns:', '  - as: "a b/c"', '    user: hi', '    bot: [hello]'].join('\n'), 'x.yml'),
      /turn 1: "as" must be a name/,
    );
  });
});
