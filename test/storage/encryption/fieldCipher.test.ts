import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { readEncryption } from '../../../src/config/encryption';
import { EncryptedStorage } from '../../../src/storage/encryption/EncryptedStorage';
import { DataDecryptionError, FieldCipher } from '../../../src/storage/encryption/FieldCipher';
import { MemoryStorage } from '../../../src/storage/MemoryStorage';

const k0 = { id: 'k0', key: randomBytes(32) };
const k1 = { id: 'k1', key: randomBytes(32) };

/** Changes one base64url character of the part at `index` (0 prefix, 1 key id, 2 iv, 3 tag, 4 ciphertext). */
function tamper(envelope: string, index: number): string {
  const parts = envelope.split('.');
  const part = parts[index] as string;
  parts[index] = (part[0] === 'A' ? 'B' : 'A') + part.slice(1);
  return parts.join('.');
}

describe('field encryption: FieldCipher', () => {
  it('should round-trip text, including emoji and the empty string, and never repeat a ciphertext', () => {
    const cipher = new FieldCipher([k0]);
    for (const text of ['Ada Lovelace', 'where is my order 12345? 🙂', '']) {
      const sealed = cipher.seal(text, 'state:k');
      assert.ok(FieldCipher.isEnvelope(sealed));
      assert.ok(!sealed.includes('Ada'));
      assert.equal(cipher.open(sealed, 'state:k'), text);
    }
    assert.notEqual(cipher.seal('same', 'c'), cipher.seal('same', 'c'));
  });

  it('should detect a changed ciphertext, tag or iv with DATA_DECRYPTION_FAILED', () => {
    const cipher = new FieldCipher([k0]);
    const sealed = cipher.seal('Ada Lovelace, 12 Main Street', 'c');
    for (const part of [2, 3, 4]) {
      assert.throws(
        () => cipher.open(tamper(sealed, part), 'c'),
        (e: unknown) => e instanceof DataDecryptionError && e.code === 'DATA_DECRYPTION_FAILED',
      );
    }
  });

  it('should refuse a value moved to another record or field (context bound)', () => {
    const cipher = new FieldCipher([k0]);
    const sealed = cipher.seal('Ada', 'ticket:T-1:customer.name');
    assert.throws(() => cipher.open(sealed, 'ticket:T-2:customer.name'), /failed authentication/);
  });

  it('should refuse an envelope whose key id was relabelled to another listed key', () => {
    const cipher = new FieldCipher([k1, k0]);
    const sealed = new FieldCipher([k0]).seal('Ada', 'c');
    assert.throws(() => cipher.open(sealed.replace('enc1.k0.', 'enc1.k1.'), 'c'), /failed authentication/);
  });

  it('should read with any listed key, write with the first, and name a missing key', () => {
    const old = new FieldCipher([k0]).seal('Ada', 'c');
    const rotated = new FieldCipher([k1, k0]);
    assert.equal(rotated.open(old, 'c'), 'Ada');
    assert.equal(FieldCipher.keyIdOf(rotated.seal('Ada', 'c')), 'k1');
    assert.ok(rotated.isStale(old));
    assert.ok(!rotated.isStale(rotated.seal('x', 'c')));
    assert.throws(() => new FieldCipher([k1]).open(old, 'c'), /key "k0", which is not in DATA_ENCRYPTION_KEYS/);
  });

  it('should treat plain text as stale when encrypting and envelopes as stale when encryption is off', () => {
    assert.ok(new FieldCipher([k0]).isStale('plain text'));
    const off = new FieldCipher([k0], false);
    assert.ok(!off.isStale('plain text'));
    assert.ok(off.isStale(new FieldCipher([k0]).seal('x', 'c')));
    assert.equal(off.protect('x', 'c'), 'x');
  });

  describe('configuration', () => {
    const key = randomBytes(32).toString('base64');

    it('should read the keys, current first', () => {
      const config = readEncryption({ DATA_ENCRYPTION: 'true', DATA_ENCRYPTION_KEYS: `k2:${key}, k1:${randomBytes(32).toString('base64')}` });
      assert.equal(config.enabled, true);
      assert.deepEqual(
        config.keys.map((k) => k.id),
        ['k2', 'k1'],
      );
    });

    it('should name the setting and the fix for a bad or missing key', () => {
      assert.throws(() => readEncryption({ DATA_ENCRYPTION: 'true' }), /DATA_ENCRYPTION_KEYS: is required when DATA_ENCRYPTION=true/);
      assert.throws(() => readEncryption({ DATA_ENCRYPTION_KEYS: 'k1:c2hvcnQ=' }), /key "k1" must be 32 random bytes.*openssl rand -base64 32/);
      assert.throws(() => readEncryption({ DATA_ENCRYPTION_KEYS: key }), /entry 1 must be "keyId:base64key"/);
      assert.throws(() => readEncryption({ DATA_ENCRYPTION_KEYS: `a:${key},a:${key}` }), /"a" is listed twice/);
    });

    it('should be off by default', () => {
      assert.deepEqual(readEncryption({}), { enabled: false, keys: [] });
    });
  });

  describe('EncryptedStorage on memory', () => {
    it('should store only envelopes, bound to the key, and read them back', async () => {
      const inner = new MemoryStorage();
      const storage = new EncryptedStorage(inner, new FieldCipher([k0]));
      await storage.write({ 'emulator/users/u1/': { profile: { name: 'Ada Lovelace' } } });
      const raw = await inner.read(['emulator/users/u1/']);
      assert.ok(!JSON.stringify(raw).includes('Ada'));
      assert.deepEqual((await storage.read(['emulator/users/u1/']))['emulator/users/u1/']?.profile, { name: 'Ada Lovelace' });
      // The same envelope under another key (a swapped record) does not open.
      await inner.write({ 'emulator/users/u2/': { ...raw['emulator/users/u1/'], eTag: '*' } });
      await assert.rejects(storage.read(['emulator/users/u2/']), /DATA_DECRYPTION_FAILED|failed authentication/);
    });

    it('should read items stored before encryption was on, and encrypt them on the next write', async () => {
      const inner = new MemoryStorage();
      await inner.write({ k: { n: 1 } });
      const storage = new EncryptedStorage(inner, new FieldCipher([k0]));
      const item = (await storage.read(['k'])).k;
      assert.equal(item?.n, 1);
      await storage.write({ k: { ...item, n: 2 } });
      assert.ok(FieldCipher.isEnvelope((await inner.read(['k'])).k?.$enc));
    });
  });
});
