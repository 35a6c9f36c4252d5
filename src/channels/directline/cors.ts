import type restify from 'restify';
import { sendHttpError } from '../../server/httpErrors';
import { publicBaseUrl } from './http';

/** Paths a Web Chat page on another origin calls: the Direct Line API and the token route. */
const CORS_PATHS = /^\/(v3\/directline(\/|$)|api\/directline\/token(\?|$))/;
const ALLOWED_HEADERS = 'Authorization, Content-Type, x-ms-bot-agent, x-requested-with';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface DirectLineCorsOptions {
  /** WEBCHAT_ALLOWED_ORIGINS: origins whose pages may call the API. Empty: the bot's own origin only. */
  allowedOrigins: readonly string[];
  publicUrl?: string;
  /** TRUST_PROXY_HOPS > 0: X-Forwarded-Host/Proto come from a proxy and name the bot's origin. */
  trustForwarded?: boolean;
}

/**
 * CORS for the Direct Line API and the token route, so a page on an allowed origin can run Web
 * Chat with `createDirectLine({ token, domain })`. Preflights (`OPTIONS`) are answered here:
 * 204 with the allowed methods and headers for an allowed origin, 403
 * DIRECTLINE_ORIGIN_FORBIDDEN otherwise. Actual requests from an allowed origin get
 * `Access-Control-Allow-Origin`; others get no CORS header, so the browser withholds the answer
 * (a token route response included). The bot sets no cookies; credentials are allowed only
 * because directlinejs asks for them on GET .../session/getsessionid.
 */
export function directLineCors(options: DirectLineCorsOptions): restify.RequestHandler {
  const allowed = new Set(options.allowedOrigins);
  return (req: restify.Request, res: restify.Response, next: restify.Next) => {
    const url = req.url ?? '';
    if (!CORS_PATHS.test(url)) return next();
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const preflight = req.method === 'OPTIONS';
    if (!origin) {
      if (!preflight) return next();
      sendHttpError(res, 400, 'REQUEST_INVALID', 'A CORS preflight needs an Origin header.');
      return next(false);
    }
    const ok = allowed.has(origin) || origin === sameOrigin(req, options.publicUrl, options.trustForwarded ?? false);
    res.header('Vary', 'Origin');
    if (ok) {
      res.header('Access-Control-Allow-Origin', origin);
      res.header('Access-Control-Allow-Credentials', 'true');
    }
    if (!preflight) return next();
    if (!ok) {
      sendHttpError(
        res,
        403,
        'DIRECTLINE_ORIGIN_FORBIDDEN',
        `Origin ${origin.slice(0, 200)} may not call this bot's Direct Line; add it to WEBCHAT_ALLOWED_ORIGINS.`,
      );
      return next(false);
    }
    res.header('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
    res.writeHead(204);
    res.end();
    return next(false);
  };
}

function sameOrigin(req: restify.Request, publicUrl: string | undefined, trustForwarded: boolean): string | undefined {
  try {
    return new URL(publicBaseUrl(req, publicUrl, trustForwarded)).origin;
  } catch {
    return undefined;
  }
}
