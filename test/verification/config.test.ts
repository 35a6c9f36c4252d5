import { strict as assert } from 'node:assert';
import { loadConfig } from '../../src/config/config';
import { ConfigError } from '../../src/errors';

const PRODUCTION = {
  NODE_ENV: 'production',
  MONGODB_URI: 'mongodb://127.0.0.1:1',
  DIRECTLINE_SECRET: 'a-long-enough-directline-secret-0123456789',
  ALLOW_UNAUTHENTICATED_MESSAGES: 'true',
};

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  assert.fail('expected a ConfigError');
}

describe('order verification settings', () => {
  it('should default to the knowledge check with 5 failures an hour and 30 minutes of memory', () => {
    const { verification } = loadConfig({});
    assert.deepEqual(verification, { policy: 'knowledge', maxFailures: 5, windowSeconds: 3600, rememberSeconds: 1800 });
    assert.equal(loadConfig(PRODUCTION).verification.policy, 'knowledge');
  });

  it('should refuse ORDER_VERIFICATION=none in production unless ALLOW_UNVERIFIED_ORDER_LOOKUPS says so', () => {
    const err = refusal({ ...PRODUCTION, ORDER_VERIFICATION: 'none' });
    assert.equal(err.code, 'CONFIG_INVALID');
    assert.match(err.message, /ORDER_VERIFICATION.*production.*ALLOW_UNVERIFIED_ORDER_LOOKUPS=true/);
    assert.equal(loadConfig({ ...PRODUCTION, ORDER_VERIFICATION: 'none', ALLOW_UNVERIFIED_ORDER_LOOKUPS: 'true' }).verification.policy, 'none');
    assert.equal(loadConfig({ ORDER_VERIFICATION: 'none' }).verification.policy, 'none', 'allowed when explicitly chosen outside production');
  });

  it('should name the setting for a wrong policy, limit or a weak Web Chat user-token secret', () => {
    assert.match(refusal({ ORDER_VERIFICATION: 'trust-me' }).message, /ORDER_VERIFICATION/);
    assert.match(refusal({ ORDER_VERIFICATION_MAX_FAILURES: '0' }).message, /ORDER_VERIFICATION_MAX_FAILURES/);
    assert.match(refusal({ WEBCHAT_USER_TOKEN_SECRET: 'short' }).message, /WEBCHAT_USER_TOKEN_SECRET.*32 bytes/);
  });
});
