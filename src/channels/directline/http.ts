import type { IncomingMessage } from 'node:http';
import type restify from 'restify';

/**
 * Small HTTP helpers shared by the Direct Line routes, the token route and the Web Chat page.
 */

/** Sends an error in the one JSON shape every route of the bot uses (and Direct Line uses too). */
export function sendJsonError(res: restify.Response, status: number, code: string, message: string): void {
  res.status(status);
  res.json({ error: { code, message } });
}

/** Query parameters of a request, without relying on restify's query parser being installed. */
export function queryOf(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/**
 * The public base URL clients use to reach this bot (`https://bot.example.com`): the configured
 * one, else taken from the request, honouring a reverse proxy's X-Forwarded-Proto/Host. A
 * spoofed header only changes the URLs handed back to the client that spoofed it.
 */
export function publicBaseUrl(req: IncomingMessage, configured: string | undefined): string {
  if (configured) return configured;
  const forwardedProto = firstHeader(req, 'x-forwarded-proto');
  const encrypted = Boolean((req.socket as { encrypted?: boolean }).encrypted);
  const proto = forwardedProto === 'https' || forwardedProto === 'http' ? forwardedProto : encrypted ? 'https' : 'http';
  const host = firstHeader(req, 'x-forwarded-host') ?? req.headers.host ?? 'localhost';
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
