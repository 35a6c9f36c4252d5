import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { sendJson, startHttpStub, type HttpStub } from './httpStub';

/**
 * A stand-in for Bot Framework's token service at the protocol boundary we cannot reach here:
 * it publishes an OpenID configuration and a JWKS with our own RSA key, so the real SDK
 * validation code runs against tokens the test signs.
 */
export interface TokenAuthority {
  metadataUrl: string;
  issuer: string;
  sign(claims: Record<string, unknown>, options?: { key?: KeyObject; kid?: string; alg?: string }): string;
  /** A key the authority does not publish, for "wrongly signed" tokens. */
  strangerKey: KeyObject;
  close(): Promise<void>;
}

const b64url = (input: Buffer | string): string => Buffer.from(input).toString('base64url');

export async function startTokenAuthority(endorsements: string[] = ['emulator', 'msteams', 'webchat', 'directline', 'test']): Promise<TokenAuthority> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const jwk = publicKey.export({ format: 'jwk' });
  const kid = 'test-key-1';
  let stub: HttpStub | undefined;
  stub = await startHttpStub((req, res) => {
    if (req.url === '/openid') sendJson(res, 200, { issuer: 'https://api.botframework.com', jwks_uri: `${stub?.url}/keys` });
    else if (req.url === '/keys') sendJson(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements }] });
    else sendJson(res, 404, {});
  });
  const issuer = 'https://api.botframework.com';
  return {
    metadataUrl: `${stub.url}/openid`,
    issuer,
    strangerKey: stranger,
    sign(claims, options = {}) {
      const header = { alg: options.alg ?? 'RS256', typ: 'JWT', kid: options.kid ?? kid };
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: issuer, nbf: now - 60, iat: now - 60, exp: now + 3600, ...claims };
      const body = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
      const signer = createSign('RSA-SHA256');
      signer.update(body);
      return `${body}.${b64url(signer.sign(options.key ?? privateKey))}`;
    },
    close: () => (stub as HttpStub).close(),
  };
}
