import { strict as assert } from 'node:assert';
import { gunzipSync } from 'node:zlib';
import { createApp, type BotApp } from '../../../src/app';
import { loadConfig } from '../../../src/config/config';
import { sendJson, startHttpStub, type HttpStub } from '../../support/httpStub';
import { silentLogger } from '../../support/testBot';

const BASE = { PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', DIRECTLINE_SECRET: 'page-secret'.padEnd(44, 'z') };

async function startApp(env: Record<string, string>): Promise<{ app: BotApp; url: string }> {
  const app = await createApp(loadConfig({ ...BASE, ...env }), { logger: silentLogger });
  return { app, url: (await app.listen()).url };
}

describe('Web Chat page and token route', () => {
  describe('self-hosted (default)', () => {
    let app: BotApp;
    let url: string;
    before(async () => {
      ({ app, url } = await startApp({ WEBCHAT_ALLOWED_ORIGINS: 'https://shop.example.com' }));
    });
    after(async () => {
      await app.close();
    });

    it('should serve the page at / and /webchat with a strict content security policy', async () => {
      for (const path of ['/', '/webchat']) {
        const response = await fetch(`${url}${path}`);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
        const csp = response.headers.get('content-security-policy') ?? '';
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.match(csp, /frame-ancestors 'self' https:\/\/shop\.example\.com/);
        const html = await response.text();
        assert.match(html, /<script src="webchat\/webchat\.js"><\/script>/);
        assert.doesNotMatch(html, /https?:\/\/(cdn|unpkg|jsdelivr)/, 'no CDN');
      }
    });

    it('should serve the Web Chat bundle itself, compressed, with validators', async () => {
      const response = await fetch(`${url}/webchat/webchat.js`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /javascript/);
      const etag = response.headers.get('etag');
      assert.ok(etag);
      // fetch decompresses transparently; the size tells us it was the real bundle.
      const body = await response.text();
      assert.ok(body.length > 1_000_000 && body.includes('createDirectLine'));
      const cached = await fetch(`${url}/webchat/webchat.js`, { headers: { 'if-none-match': etag } });
      assert.equal(cached.status, 304);
      const embed = await fetch(`${url}/webchat/embed.js`);
      assert.equal(embed.status, 200);
      assert.match(await embed.text(), /order-bot-launcher/);
    });

    it('should compress small assets for clients that accept gzip', async () => {
      const http = await import('node:http');
      const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
        http
          .get(`${url}/webchat/page.js`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
      assert.equal(raw.encoding, 'gzip');
      assert.match(gunzipSync(raw.body).toString(), /api\/directline\/token/);
    });

    it('should hand out a conversation token and the Direct Line URL, never the secret', async () => {
      const response = await fetch(`${url}/api/directline/token`, {
        method: 'POST',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'bot.example.com' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as Record<string, unknown>;
      assert.equal(body.domain, 'https://bot.example.com/v3/directline');
      assert.match(String(body.userId), /^dl_/);
      assert.equal(body.expiresIn, 1800);
      assert.ok(!JSON.stringify(body).includes(BASE.DIRECTLINE_SECRET));
    });
  });

  describe('Azure Direct Line mode (Azure faked at the protocol boundary)', () => {
    let azure: HttpStub;
    let app: BotApp;
    let url: string;
    let answer: { status: number; body: unknown };

    before(async () => {
      azure = await startHttpStub((req, res) => {
        if (req.method === 'POST' && req.url === '/v3/directline/tokens/generate' && req.headers.authorization === 'Bearer azure-channel-secret') {
          sendJson(res, answer.status, answer.body);
        } else {
          sendJson(res, 403, { error: { code: 'BadArgument' } });
        }
      });
      ({ app, url } = await startApp({ DIRECTLINE_ENDPOINT: `${azure.url}/v3/directline`, DIRECTLINE_AZURE_SECRET: 'azure-channel-secret' }));
    });
    after(async () => {
      await app.close();
      await azure.close();
    });

    it('should exchange the Azure secret for a token server-side and point the page at Azure', async () => {
      answer = { status: 200, body: { conversationId: 'azure-conv', token: 'azure-token', expires_in: 3600 } };
      const response = await fetch(`${url}/api/directline/token`, { method: 'POST' });
      assert.equal(response.status, 200);
      const body = (await response.json()) as Record<string, unknown>;
      assert.deepEqual(
        { token: body.token, conversationId: body.conversationId, expiresIn: body.expiresIn, domain: body.domain },
        { token: 'azure-token', conversationId: 'azure-conv', expiresIn: 3600, domain: `${azure.url}/v3/directline` },
      );
      const sent = azure.requests.at(-1);
      assert.equal(sent?.headers.authorization, 'Bearer azure-channel-secret');
      const page = await fetch(`${url}/webchat`);
      assert.match(page.headers.get('content-security-policy') ?? '', new RegExp(`connect-src [^;]*${azure.url.replace(/[.:/]/g, '\\$&')}`));
    });

    it('should not serve the self-hosted endpoint in Azure mode', async () => {
      const response = await fetch(`${url}/v3/directline/conversations`, { method: 'POST' });
      assert.equal(response.status, 404);
    });

    it('should answer 502 with a stable code when Azure refuses', async () => {
      answer = { status: 500, body: {} };
      const response = await fetch(`${url}/api/directline/token`, { method: 'POST' });
      assert.equal(response.status, 502);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'DIRECTLINE_UPSTREAM_FAILED');
    });
  });

  it('should serve no page and no endpoint when DIRECTLINE_ENABLED=false', async () => {
    const { app, url } = await startApp({ DIRECTLINE_ENABLED: 'false' });
    try {
      assert.equal((await fetch(`${url}/webchat`)).status, 404);
      assert.equal((await fetch(`${url}/api/directline/token`, { method: 'POST' })).status, 404);
    } finally {
      await app.close();
    }
  });
});
