import { strict as assert } from 'node:assert';
import type { BotApp } from '../../src/app';
import { smoke } from '../../scripts/smoke';
import { startTestApp } from '../support/testApp';

describe('pipelines: the post-deployment smoke test', () => {
  let app: BotApp;
  let url: string;
  before(async () => {
    ({ app, url } = await startTestApp());
  });
  after(() => app.close());

  it('should pass against a running bot: /readyz, then one conversation over Direct Line', async () => {
    const lines: string[] = [];
    const reply = await smoke({ url, waitSeconds: 5 }, (line) => lines.push(line));
    assert.equal(reply, 'You asked about order 12345. Is that correct?');
    assert.match(lines[0] ?? '', /^readyz: HTTP 200/);
  });

  it('should fail, naming the step, when nothing answers', async () => {
    await assert.rejects(
      smoke({ url: 'http://127.0.0.1:1', waitSeconds: 0 }, () => undefined),
      /^Error: readyz: not ready after 0 s/,
    );
  });
});
