import { strict as assert } from 'node:assert';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { BotClient } from '../support/botClient';
import { startTokenAuthority, type TokenAuthority } from '../support/botFrameworkTokens';
import { silentLogger } from '../support/testBot';

const APP_ID = '7f1c2a9e-0000-4000-8000-00000000b07';

describe('HTTP: Bot Framework authentication on /api/messages', () => {
  let authority: TokenAuthority;
  let app: BotApp;
  let client: BotClient;
  const serviceUrl = 'http://127.0.0.1:1';
  // botbuilder's CloudAdapter prints every rejected token with console.error; keep the test output readable.
  const consoleError = console.error;

  before(async () => {
    console.error = () => undefined;
    authority = await startTokenAuthority();
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      MicrosoftAppType: 'MultiTenant',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-used-for-incoming-validation',
      ToBotFromChannelOpenIdMetadataUrl: authority.metadataUrl,
      ToBotFromChannelTokenIssuer: authority.issuer,
    });
    app = await createApp(config, { logger: silentLogger });
    client = new BotClient((await app.listen()).url, undefined, 'test');
  });
  after(async () => {
    console.error = consoleError;
    await app?.close();
    await authority?.close();
  });

  async function postWith(authorization: string | undefined): Promise<{ status: number; json: unknown }> {
    const response = await fetch(`${(client as unknown as { baseUrl: string }).baseUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(client.activity({ text: 'hi', serviceUrl })),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  const validClaims = (): Record<string, unknown> => ({ aud: APP_ID, serviceurl: serviceUrl });

  it('should accept a token signed by the published key for this bot', async () => {
    const { status, json } = await postWith(`Bearer ${authority.sign(validClaims())}`);
    assert.equal(status, 200);
    assert.match(JSON.stringify(json), /order assistant/);
  });

  it('should answer 401 without a token', async () => {
    assert.equal((await postWith(undefined)).status, 401);
  });

  it('should answer 401 for malformed tokens', async () => {
    for (const header of ['Bearer', 'Bearer not.a.jwt', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(50)}`, 'Bearer a.b.c']) {
      assert.equal((await postWith(header)).status, 401, header);
    }
  });

  it('should answer 401 for an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = authority.sign({ ...validClaims(), iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
    assert.equal((await postWith(`Bearer ${token}`)).status, 401);
  });

  it('should answer 401 for a token signed with a key the authority does not publish', async () => {
    assert.equal((await postWith(`Bearer ${authority.sign(validClaims(), { key: authority.strangerKey })}`)).status, 401);
    assert.equal((await postWith(`Bearer ${authority.sign(validClaims(), { kid: 'unknown-kid' })}`)).status, 401);
  });

  it('should answer 401 for a token meant for another bot, issuer or service URL', async () => {
    assert.equal((await postWith(`Bearer ${authority.sign({ ...validClaims(), aud: 'another-bot' })}`)).status, 401);
    assert.equal((await postWith(`Bearer ${authority.sign({ ...validClaims(), iss: 'https://evil.example.com' })}`)).status, 401);
    assert.equal((await postWith(`Bearer ${authority.sign({ ...validClaims(), serviceurl: 'https://elsewhere.example.com' })}`)).status, 401);
  });
});
