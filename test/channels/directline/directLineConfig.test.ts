import { strict as assert } from 'node:assert';
import { readDirectLineConfig } from '../../../src/config/directline';

describe('Direct Line configuration', () => {
  const secret = 'k'.repeat(44);

  it('should make a random secret in development and say so', () => {
    const a = readDirectLineConfig({});
    const b = readDirectLineConfig({});
    assert.equal(a.secretGenerated, true);
    assert.notEqual(a.secret, b.secret);
    assert.equal(a.mode, 'self-hosted');
    assert.equal(a.tokenTtlSeconds, 1800);
  });

  it('should require DIRECTLINE_SECRET in production, naming the setting and the fix', () => {
    assert.throws(
      () => readDirectLineConfig({ NODE_ENV: 'production' }),
      /^ConfigError: DIRECTLINE_SECRET: is required in production.*openssl rand -base64 32.*DIRECTLINE_ENABLED=false/,
    );
    assert.equal(readDirectLineConfig({ NODE_ENV: 'production', DIRECTLINE_SECRET: secret }).secretGenerated, false);
    assert.equal(readDirectLineConfig({ NODE_ENV: 'production', DIRECTLINE_ENABLED: 'false' }).enabled, false);
  });

  it('should reject weak secrets, half-configured Azure mode and bad origins', () => {
    assert.throws(() => readDirectLineConfig({ DIRECTLINE_SECRET: 'short' }), /DIRECTLINE_SECRET: must be at least 32/);
    assert.throws(
      () => readDirectLineConfig({ DIRECTLINE_ENDPOINT: 'https://directline.botframework.com/v3/directline' }),
      /DIRECTLINE_AZURE_SECRET: is required/,
    );
    assert.throws(() => readDirectLineConfig({ DIRECTLINE_AZURE_SECRET: 'x' }), /DIRECTLINE_ENDPOINT: is empty/);
    assert.throws(() => readDirectLineConfig({ WEBCHAT_ALLOWED_ORIGINS: 'https://a.example.com/path' }), /WEBCHAT_ALLOWED_ORIGINS/);
    assert.throws(() => readDirectLineConfig({ DIRECTLINE_TOKEN_TTL_SECONDS: '5' }), /DIRECTLINE_TOKEN_TTL_SECONDS/);
  });

  it('should switch to Azure mode when DIRECTLINE_ENDPOINT and its secret are set', () => {
    const config = readDirectLineConfig({
      NODE_ENV: 'production',
      DIRECTLINE_ENDPOINT: 'https://europe.directline.botframework.com/v3/directline/',
      DIRECTLINE_AZURE_SECRET: 'azure',
      WEBCHAT_ALLOWED_ORIGINS: 'https://www.example.com, https://shop.example.com:8443',
    });
    assert.equal(config.mode, 'azure');
    assert.equal(config.azureEndpoint, 'https://europe.directline.botframework.com/v3/directline');
    assert.deepEqual(config.allowedOrigins, ['https://www.example.com', 'https://shop.example.com:8443']);
  });
});
