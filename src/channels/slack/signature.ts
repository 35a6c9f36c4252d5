import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's replay window: requests signed more than five minutes from now are refused. */
export const SIGNATURE_MAX_AGE_SECONDS = 5 * 60;

export interface SignatureInput {
  signingSecret: string;
  /** The request body exactly as received; parsing first would break the signature. */
  rawBody: Buffer;
  /** X-Slack-Signature header, `v0=<hex>`. */
  signature: string | undefined;
  /** X-Slack-Request-Timestamp header, Unix seconds. */
  timestamp: string | undefined;
  nowMs?: number;
}

/** Why a request was refused, for the 401 body and the log; undefined means "valid". */
export type SignatureProblem = string | undefined;

/**
 * Checks Slack's v0 request signature: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
 * secret, compared in constant time, and a timestamp within five minutes either side of now
 * (Bolt's own helper only refuses old timestamps; a future one is as suspicious).
 */
export function checkSlackSignature(input: SignatureInput): SignatureProblem {
  if (!input.signature || !input.timestamp) return 'missing X-Slack-Signature or X-Slack-Request-Timestamp header';
  if (!/^\d{1,12}$/.test(input.timestamp)) return 'X-Slack-Request-Timestamp is not a Unix time';
  const nowSeconds = Math.floor((input.nowMs ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - Number(input.timestamp)) > SIGNATURE_MAX_AGE_SECONDS) {
    return 'X-Slack-Request-Timestamp is more than 5 minutes from now (replayed or clock skew)';
  }
  const expected = signatureOf(input.signingSecret, input.timestamp, input.rawBody);
  const given = Buffer.from(input.signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'signature mismatch';
  return undefined;
}

/** The `v0=<hex>` signature Slack would send for this body; used by tests and benchmarks too. */
export function signatureOf(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}
