import { strict as assert } from 'node:assert';
import { NullTelemetryClient } from 'botbuilder-core';
import { createApp, type BotApp } from '../../src/app';
import { loadConfig } from '../../src/config/config';
import { runClosers } from '../../src/server/lifecycle';
import { TurnTracker } from '../../src/telemetry/turnTracker';
import { BotClient } from '../support/botClient';
import { sendJson, startHttpStub, type HttpStub } from '../support/httpStub';
import { silentLogger } from '../support/testBot';
import { waitFor } from '../support/waitFor';

/** Records the order of things that happen during a shutdown. */
class Timeline {
  readonly entries: string[] = [];
  add(entry: string): void {
    this.entries.push(entry);
  }
}

/** A telemetry client that notes when it is flushed. */
class FlushRecorder extends NullTelemetryClient {
  constructor(private readonly timeline: Timeline) {
    super();
  }
  override flush(): void {
    this.timeline.add('telemetry flushed');
  }
}

/**
 * An orders API whose lookup is held until the test answers it (`answer`), noting when a request
 * arrives and is answered: the turn stays in flight exactly as long as the test needs.
 */
async function heldOrdersApi(timeline: Timeline): Promise<HttpStub & { answer(): void }> {
  const held: Array<() => void> = [];
  const stub = await startHttpStub((req, res) => {
    // The order check (POST .../verify) answers at once; the lookup after it is the held call.
    if (req.method === 'POST') return sendJson(res, 200, { match: true });
    timeline.add('backend called');
    held.push(() => {
      timeline.add('backend answered');
      sendJson(res, 200, { id: '12345', status: 'in_transit', eta: '2026-11-27', carrier: 'UPS', trackingUrl: null });
    });
  });
  return Object.assign(stub, {
    answer: () => {
      for (const send of held.splice(0)) send();
    },
  });
}

const until = (condition: () => boolean): Promise<unknown> => waitFor(condition);

describe('graceful shutdown', function () {
  this.timeout(20_000);
  let backend: HttpStub & { answer(): void };
  let app: BotApp;
  let url: string;
  const timeline = new Timeline();

  async function start(shutdownTimeoutMs: number): Promise<void> {
    timeline.entries.length = 0;
    backend = await heldOrdersApi(timeline);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      ORDERS_API_URL: backend.url,
      ORDERS_API_RETRIES: '0',
      ORDERS_API_TIMEOUT_MS: '10000',
      SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    });
    app = await createApp(config, { logger: silentLogger, telemetry: { telemetry: new FlushRecorder(timeline) } });
    url = (await app.listen()).url;
  }

  afterEach(async () => {
    backend.answer();
    await app.close();
    await backend.close();
  });

  it('should finish the turn in flight, refuse new requests, then flush telemetry', async () => {
    await start(10_000);
    const customer = new BotClient(url);
    await customer.say('where is my order 12345');
    await customer.say('yes');
    const inFlight = customer.say('alex.morgan@example.com').then((replies) => {
      timeline.add('customer got the status');
      return replies;
    });
    await until(() => timeline.entries.includes('backend called'));

    const closing = app.close().then(() => timeline.add('closed'));
    const newcomer = new BotClient(url).say('hi').then(
      () => 'answered',
      (err: Error) => err.message,
    );

    assert.match(await newcomer, /503|fetch failed/);
    assert.ok(!timeline.entries.includes('closed'), 'close waits for the turn in flight');
    backend.answer();
    assert.match((await inFlight)[0]?.text ?? '', /^Order 12345 is in transit/);
    await closing;
    // The reply is on the wire before telemetry is flushed, but when the client's fetch resolves
    // relative to the server's flush is up to the event loop; the server-side order is what counts.
    assert.ok(timeline.entries.includes('customer got the status'));
    assert.deepEqual(
      timeline.entries.filter((entry) => entry !== 'customer got the status'),
      ['backend called', 'backend answered', 'telemetry flushed', 'closed'],
    );
  });

  it('should answer /readyz with 503 while draining', async () => {
    await start(10_000);
    const customer = new BotClient(url);
    await customer.say('where is my order 12345');
    await customer.say('yes');
    const inFlight = customer.say('alex.morgan@example.com');
    await until(() => timeline.entries.includes('backend called'));

    const closing = app.close();
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 'refused',
    );

    assert.ok(ready === 503 || ready === 'refused', String(ready));
    backend.answer();
    await inFlight;
    await closing;
  });

  it('should stop waiting after SHUTDOWN_TIMEOUT_MS when a turn hangs', async () => {
    await start(200); // the lookup is never answered while the app closes
    const customer = new BotClient(url);
    await customer.say('where is my order 12345');
    await customer.say('yes');
    const inFlight = customer.say('alex.morgan@example.com').catch(() => []);
    await until(() => timeline.entries.includes('backend called'));

    await app.close();

    assert.ok(!timeline.entries.includes('backend answered'), timeline.entries.join(', '));
    assert.ok(timeline.entries.includes('telemetry flushed'));
    backend.answer();
    await inFlight;
  });
});

describe('TurnTracker and closers', () => {
  it('should resolve drain at once when idle, and when the last turn ends', async () => {
    const tracker = new TurnTracker();
    assert.equal(await tracker.drain(10), true);
    const endA = tracker.begin();
    const endB = tracker.begin();

    const drained = tracker.drain(5_000);
    endA();
    endA(); // a second call must not count twice
    assert.equal(tracker.inFlight, 1);
    endB();

    assert.equal(await drained, true);
    assert.equal(tracker.inFlight, 0);
  });

  it('should give up draining after the timeout', async () => {
    const tracker = new TurnTracker();
    tracker.begin();

    assert.equal(await tracker.drain(20), false);
  });

  it('should run closers last-registered-first and keep going when one fails', async () => {
    const ran: string[] = [];

    await runClosers(
      [
        async () => void ran.push('telemetry'),
        async () => {
          throw new Error('database already gone');
        },
        async () => void ran.push('locks'),
      ],
      silentLogger,
    );

    assert.deepEqual(ran, ['locks', 'telemetry']);
  });
});
