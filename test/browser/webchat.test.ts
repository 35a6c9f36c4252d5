import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { BotApp } from '../../src/app';
import { fromRoot } from '../../src/paths';
import { startHttpStub } from '../support/httpStub';
import { startTestApp } from '../support/testApp';

/** Debian's chromium package; CI installs it (.ci/run). */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = fromRoot('test-artifacts/webchat.png');

/** Flags for a quiet, hermetic headless run: no GPU, no QUIC, nothing phoning home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A message bubble's text in the transcript (Web Chat also renders screen-reader copies). */
function said(page: Page, text: string | RegExp) {
  return page.getByRole('paragraph').filter({ hasText: text });
}

describe('Web Chat in a real browser (headless Chromium)', function () {
  this.timeout(120_000);
  let app: BotApp;
  let baseUrl: string;
  let context: BrowserContext;
  let profile: string;
  const problems: string[] = [];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const message = `Chromium not found at ${CHROMIUM} (install Debian's chromium package, or set CHROMIUM_PATH).`;
      if (process.env.CI === 'true' || process.env.REQUIRE_BROWSER_TESTS === '1') throw new Error(message);
      console.warn(`\n  ⚠ SKIPPING the browser test. ${message}\n`);
      this.skip();
    }
    ({ app, url: baseUrl } = await startTestApp());
    profile = mkdtempSync(path.join(tmpdir(), 'webchat-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 480, height: 760 },
    });
  });

  after(async () => {
    await context?.close();
    await app?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  function watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  }

  it('should check an order end to end: type the question, click Yes, answer the order check, see the order status', async () => {
    const page = context.pages()[0] ?? (await context.newPage());
    watch(page);
    await page.goto(`${baseUrl}/webchat`);

    // The greeting proves the token route, the conversation start and the WebSocket stream.
    await said(page, /order assistant\. I can check/).waitFor({ timeout: 30_000 });
    const input = page.locator('[data-id="webchat-sendbox-input"]');
    await input.fill('where is my order 12345');
    await input.press('Enter');

    await said(page, 'You asked about order 12345. Is that correct?').waitFor();
    await page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: 'Yes', exact: true }).click();

    // The order check: nothing about the order is shown until the e-mail or postcode matches.
    await said(page, /e-mail address or the postcode on the order/).waitFor();
    assert.equal(await page.locator('.ac-adaptiveCard').count(), 0, 'no order card before the check');
    await input.fill('alex.morgan@example.com');
    await input.press('Enter');

    // The Adaptive Card: status, carrier fact and the tracking button.
    const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Order 12345' });
    await card.waitFor();
    assert.match((await card.textContent()) ?? '', /In transit/);
    assert.match((await card.textContent()) ?? '', /UPS/);
    await card.getByRole('button', { name: 'Track the parcel' }).waitFor();

    mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // The page's CSP allows only our own scripts: any violation or failed request shows here.
    assert.deepEqual(
      problems.filter((p) => !/favicon\.ico/.test(p)),
      [],
    );
  });

  it('should embed on another site with one script tag: launcher button, chat in an iframe', async () => {
    // The "company site": another origin whose page only adds the documented snippet.
    const site = await startHttpStub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Shop</title><h1>Our shop</h1><script src="${baseUrl}/webchat/embed.js" async></script>`);
    });
    const page = await context.newPage();
    try {
      watch(page);
      await page.goto(site.url);
      await page.locator('#order-bot-launcher').click();
      const chat = page.frameLocator('#order-bot-frame');
      await chat
        .getByRole('paragraph')
        .filter({ hasText: /order assistant\. I can check/ })
        .waitFor({ timeout: 30_000 });
      assert.equal(await page.locator('#order-bot-launcher').getAttribute('aria-expanded'), 'true');
    } finally {
      await page.close();
      await site.close();
    }
  });

  it('should run Web Chat on another origin with { token, domain } when that origin is in WEBCHAT_ALLOWED_ORIGINS (CORS)', async () => {
    // The cross-origin recipe of docs/webchat.md: the shop's own page fetches a token from the
    // bot and renders Web Chat itself, so every Direct Line call is cross-origin (preflighted).
    let botUrl = '';
    const site = await startHttpStub((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Shop</title><div id="webchat" style="height:600px"></div>
<script src="${botUrl}/webchat/webchat.js"></script>
<script>
  fetch('${botUrl}/api/directline/token', { method: 'POST' })
    .then(function (r) { return r.json(); })
    .then(function (t) {
      window.WebChat.renderWebChat({ directLine: window.WebChat.createDirectLine({ token: t.token, domain: t.domain }) }, document.getElementById('webchat'));
    });
</script>`);
    });
    const bot = await startTestApp({ WEBCHAT_ALLOWED_ORIGINS: new URL(site.url).origin });
    botUrl = bot.url;
    const page = await context.newPage();
    try {
      watch(page);
      problems.length = 0;
      await page.goto(site.url);
      await said(page, /order assistant\. I can check/).waitFor({ timeout: 30_000 });
      const input = page.locator('[data-id="webchat-sendbox-input"]');
      await input.fill('where is my order 12345');
      await input.press('Enter');
      await said(page, 'You asked about order 12345. Is that correct?').waitFor();
      assert.deepEqual(
        problems.filter((p) => !/favicon\.ico/.test(p)),
        [],
        'no CORS error, no failed request',
      );
    } finally {
      await page.close();
      await bot.app.close();
      await site.close();
    }
  });

  it('should resume the same conversation after a reload', async () => {
    const page = context.pages()[0] as Page;
    await page.reload();
    await said(page, 'You asked about order 12345. Is that correct?').waitFor({ timeout: 30_000 });
    await page.locator('.ac-adaptiveCard').filter({ hasText: 'Order 12345' }).waitFor();
    assert.equal(await said(page, /order assistant\. I can check/).count(), 1, 'no second greeting: it is the same conversation');
  });
});
