import type { IncomingMessage } from 'node:http';

/**
 * Small HTTP helpers shared by the Direct Line routes, the token route and the Web Chat page.
 */

/** Query parameters of a request, without relying on restify's query parser being installed. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/**
 * The public base URL clients use to reach this bot (`https://bot.example.com`): the configured
 * one, else taken from the request, honouring a reverse proxy's X-Forwarded-Proto/Host unless
 * `trustForwarded` is false. For URLs handed back to a client a spoofed header only misleads the
 * client that spoofed it; decisions (the CORS same-origin check) trust it only behind a proxy.
 */
export function publicBaseUrl(req: IncomingMessage, configured: string | undefined, trustForwarded = true): string {
  if (configured) return configured;
  const forwardedProto = trustForwarded ? firstHeader(req, 'x-forwarded-proto') : undefined;
  const encrypted = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : encrypted ? 'https' : 'http';
  const host = (trustForwarded ? firstHeader(req, 'x-forwarded-host') : undefined) ?? req.headers.host ?? 'localhost';
  return `${proto}://${host}`;
}

/** The WebSocket form of a public base URL. */
export function toWebSocketUrl(base: string): string {
  return base.replace(/^http/i, 'ws');
}

function firstHeader(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  const first = value?.split(',')[0]?.trim();
  return first ? first : undefined;
}
