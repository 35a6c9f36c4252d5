import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { clientAddress } from '../../../src/server/clientAddress';
import { checkActivityLimits, jsonDepthExceeds, MAX_METADATA_BYTES, parseJsonText, valueDepthExceeds } from '../../../src/server/inbound';

function req(remoteAddress: string, forwardedFor?: string | string[]): IncomingMessage {
  return { socket: { remoteAddress }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } } as unknown as IncomingMessage;
}

const LIMITS = { maxBodyBytes: 1024, maxJsonDepth: 5, maxMessageChars: 10, maxAttachments: 2 };

describe('inbound gate (src/server/inbound.ts)', () => {
  it('should measure JSON depth on the text without being fooled by brackets inside strings', () => {
    assert.equal(jsonDepthExceeds('{"a":{"b":[1,2,{"c":1}]}}', 4), false);
    assert.equal(jsonDepthExceeds('{"a":{"b":[1,2,{"c":1}]}}', 3), true);
    assert.equal(jsonDepthExceeds(`{"t":"${'['.repeat(100)}\\"${'{'.repeat(100)}"}`, 1), false);
    assert.equal(jsonDepthExceeds('['.repeat(100_000), 32), true);
    assert.equal(valueDepthExceeds(JSON.parse('['.repeat(5000) + ']'.repeat(5000)), 32), true);
    assert.equal(valueDepthExceeds({ a: [{ b: 1 }] }, 3), false);
  });

  it('should refuse over-large, too deep and invalid JSON with the catalogue codes', () => {
    assert.equal((parseJsonText('x'.repeat(2000), LIMITS) as { refusal: { code: string } }).refusal.code, 'PAYLOAD_TOO_LARGE');
    assert.equal((parseJsonText('[[[[[[1]]]]]]', LIMITS) as { refusal: { code: string } }).refusal.code, 'JSON_TOO_DEEP');
    assert.equal((parseJsonText('{"a":', LIMITS) as { refusal: { code: string } }).refusal.code, 'REQUEST_INVALID');
    assert.deepEqual(parseJsonText('{"a":[1]}', LIMITS), { ok: true, value: { a: [1] } });
  });

  it('should check text length, attachment count and shape of an activity', () => {
    assert.equal(checkActivityLimits({ type: 'message', text: 'x'.repeat(11) }, LIMITS)?.code, 'MESSAGE_TOO_LONG');
    assert.equal(checkActivityLimits({ type: 'message', attachments: [{}, {}, {}] }, LIMITS)?.code, 'TOO_MANY_ATTACHMENTS');
    assert.equal(checkActivityLimits({ type: 'message', attachments: ['x'] }, LIMITS)?.code, 'REQUEST_INVALID');
    assert.equal(checkActivityLimits({ type: 'message', text: 42 }, LIMITS)?.code, 'REQUEST_INVALID');
    assert.equal(checkActivityLimits({ type: 'message', text: 'hello', attachments: [{ contentType: 'a' }] }, LIMITS), undefined);
  });

  it('should refuse channelData, entities and value that together exceed MAX_METADATA_BYTES, however shallow', () => {
    const wide = { x: Array.from({ length: MAX_METADATA_BYTES / 3 + 1 }, () => ({})) };
    const refusal = checkActivityLimits({ type: 'message', text: 'hi', channelData: wide }, LIMITS);
    assert.equal(refusal?.code, 'REQUEST_INVALID');
    assert.match(refusal?.message ?? '', /at most 16384/);
    assert.equal(
      checkActivityLimits({ type: 'message', text: 'hi', channelData: { tenant: { id: 't' } }, entities: [{ type: 'mention' }], value: { a: 1 } }, LIMITS),
      undefined,
    );
  });
});

describe('client address (src/server/clientAddress.ts)', () => {
  it('should use the TCP peer and ignore X-Forwarded-For unless proxies are trusted', () => {
    assert.equal(clientAddress(req('::ffff:203.0.113.9', '198.51.100.1'), 0), '203.0.113.9');
  });

  it('should take the entry the outermost trusted proxy wrote, never one the client wrote', () => {
    assert.equal(clientAddress(req('10.0.0.5', '198.51.100.1'), 1), '198.51.100.1');
    assert.equal(clientAddress(req('10.0.0.5', 'spoofed.by.client, 198.51.100.1'), 1), '198.51.100.1');
    assert.equal(clientAddress(req('10.0.0.5', ['spoofed', '198.51.100.1, 10.0.0.4']), 2), '198.51.100.1');
    assert.equal(clientAddress(req('10.0.0.5', '198.51.100.1:53211'), 1), '198.51.100.1', 'App Service appends the port');
  });

  it('should count an IPv6 client per /64', () => {
    assert.equal(clientAddress(req('2001:db8:1:2:aaaa::1'), 0), '2001:db8:1:2::/64');
    assert.equal(clientAddress(req('2001:db8:1:2:bbbb::9'), 0), '2001:db8:1:2::/64');
    assert.equal(clientAddress(req('10.0.0.5', '[2001:db8::7]:443'), 1), '2001:db8:0:0::/64');
  });
});
