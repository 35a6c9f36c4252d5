import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

/** One telemetry item as the Application Insights ingestion API receives it. */
export interface Envelope {
  name: string;
  data?: { baseType?: string; baseData?: { name?: string; message?: string; properties?: Record<string, string> } };
}

/**
 * A local stand-in for the Application Insights ingestion service: an HTTPS server on a free
 * loopback port (the exporter only speaks HTTPS) that accepts `POST /v2.1/track` and keeps
 * every envelope. Its certificate is made fresh by openssl for 127.0.0.1; `ca` is what the
 * client must trust.
 */
export interface IngestionStub {
  connectionString: string;
  ca: string;
  envelopes: Envelope[];
  /** Custom events by name, with their properties. */
  events(): { name: string; properties: Record<string, string> }[];
  close(): Promise<void>;
}

export async function startIngestionStub(): Promise<IngestionStub> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ingestion-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch (err) {
    throw new Error(`the ingestion stand-in needs openssl on PATH to make its certificate: ${(err as Error).message}`);
  }
  const key = readFileSync(path.join(dir, 'key.pem'));
  const ca = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  rmSync(dir, { recursive: true, force: true });

  const envelopes: Envelope[] = [];
  const server = https.createServer({ key, cert: ca }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      const items = req.url?.startsWith('/v2.1/track') ? (JSON.parse(body.toString('utf8')) as Envelope[]) : [];
      envelopes.push(...items);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: `InstrumentationKey=00000000-1111-2222-3333-444444444444;IngestionEndpoint=https://127.0.0.1:${port}/`,
    ca,
    envelopes,
    events: () =>
      envelopes
        .filter((e) => e.data?.baseType === 'EventData')
        .map((e) => ({ name: e.data?.baseData?.name ?? '', properties: e.data?.baseData?.properties ?? {} })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
