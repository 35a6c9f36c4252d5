import { strict as assert } from 'node:assert';
import { bearer, DirectLineTokens, newConversationId, newUserId } from '../../../src/channels/directline/tokens';

describe('Direct Line tokens', () => {
  const secret = 's'.repeat(40);

  it('should accept the secret and a token it issued, with the conversation and user inside', () => {
    const tokens = new DirectLineTokens({ secret, ttlSeconds: 600 });
    const issued = tokens.issue('conv-1', 'dl_user');
    assert.deepEqual(tokens.authenticate(secret), { kind: 'secret' });
    const credential = tokens.authenticate(issued.token);
    assert.ok(typeof credential === 'object' && credential.kind === 'token');
    assert.equal(credential.claims.conv, 'conv-1');
    assert.equal(credential.claims.user, 'dl_user');
    assert.equal(issued.expiresIn, 600);
  });

  it('should reject missing, tampered, foreign and expired tokens with a reason', () => {
    let now = 1_700_000_000_000;
    const tokens = new DirectLineTokens({ secret, ttlSeconds: 60, now: () => now });
    const { token } = tokens.issue('conv-1', 'dl_user');
    assert.equal(tokens.authenticate(undefined), 'missing');
    assert.equal(tokens.authenticate('not-a-token'), 'invalid');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), conv: 'conv-2' })).toString('base64url');
    assert.equal(tokens.authenticate(`${header}.${forged}.${signature}`), 'invalid');
    const other = new DirectLineTokens({ secret: 'o'.repeat(40), ttlSeconds: 60, now: () => now });
    assert.equal(other.authenticate(token), 'invalid');
    now += 61_000;
    assert.equal(tokens.authenticate(token), 'expired');
  });

  it('should read bearer credentials and make unguessable ids', () => {
    assert.equal(bearer('Bearer abc.def'), 'abc.def');
    assert.equal(bearer('bearer   xyz'), 'xyz');
    assert.equal(bearer('Basic abc'), undefined);
    assert.equal(bearer(undefined), undefined);
    assert.notEqual(newConversationId(), newConversationId());
    assert.match(newConversationId(), /^[A-Za-z0-9_-]{22}$/);
    assert.match(newUserId(), /^dl_[A-Za-z0-9_-]{16}$/);
  });
});
