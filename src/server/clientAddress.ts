import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * The network address a request came from, as used for per-client limits.
 *
 * With `trustProxyHops = 0` (the default) it is the TCP peer: headers are ignored, since any
 * client can write X-Forwarded-For. Behind N trusted reverse proxies (TRUST_PROXY_HOPS=N; App
 * Service and most ingresses add one), it is the N-th X-Forwarded-For entry from the right:
 * the address the outermost trusted proxy saw. Entries further left were written by the client
 * and are never used. IPv6 addresses are reduced to their /64, since one host usually holds a
 * whole /64.
 */
export function clientAddress(req: IncomingMessage, trustProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  let address = peer;
  if (trustProxyHops > 0) {
    const raw = req.headers['x-forwarded-for'];
    const entries = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (entries.length > 0) address = entries[Math.max(0, entries.length - trustProxyHops)] as string;
  }
  return normalise(address);
}

function normalise(raw: string): string {
  let address = raw;
  // Some proxies (Azure App Service among them) append the port: 203.0.113.7:51234, [2001:db8::1]:443.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1] as string;
  else if (/^[\d.]+:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  if (address.startsWith('::ffff:') && address.includes('.')) address = address.slice(7);
  if (isIPv6(address)) return `${ipv6Prefix64(address)}::/64`;
  return address.slice(0, 64);
}

/** The first four groups of an IPv6 address, expanded (2001:db8::1 -> 2001:db8:0:0). */
function ipv6Prefix64(address: string): string {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = address.includes('::') ? 8 - left.length - right.length : 0;
  const groups = [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':');
}
