import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';
import restify from 'restify';
import { fromRoot } from '../../paths';
import { sendRateLimited, type SessionGate } from '../../server/sessionGate';
import type { Logger } from '../../telemetry/logger';
import { checkHostUserToken } from './hostUserToken';
import { sendHttpError } from '../../server/httpErrors';
import { publicBaseUrl } from './http';
import type { WebChatTokenSource } from './tokenSources';

export interface WebChatPageDependencies {
  tokenSource: WebChatTokenSource;
  logger: Logger;
  publicUrl?: string;
  /** Azure mode: Azure's Direct Line URL, allowed in the page's connect-src. */
  azureEndpoint?: string;
  /** Origins allowed to frame the page; empty means any (the page holds no secret). */
  allowedOrigins: readonly string[];
  /** Rations tokens per client address and globally; absent: unlimited (tests of the page only). */
  sessions?: SessionGate;
  /** Directory of index.html, page.js, page.css, embed.js; default `public/`. */
  publicDir?: string;
  /** WEBCHAT_USER_TOKEN_SECRET: lets the host website vouch for a signed-in user (hostUserToken.ts). */
  userTokenSecret?: string;
}

/** A file held in memory, with its compressed twin and validator. */
interface Asset {
  body: Buffer;
  gzip: Buffer;
  etag: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/**
 * The Web Chat page and what it needs, all served by the bot itself (no CDN, so it works
 * offline and on locked-down networks):
 * - GET / and /webchat: the page; /webchat/page.js, page.css: its script and style;
 * - GET /webchat/embed.js: a one-line embed for other sites (a launcher button and an iframe);
 * - GET /webchat/webchat.js: the botframework-webchat bundle from node_modules;
 * - POST /api/directline/token: a conversation token made server-side, so the page never sees
 *   the secret.
 */
export function mountWebChatPage(server: restify.Server, deps: WebChatPageDependencies): void {
  const dir = deps.publicDir ?? fromRoot('public');
  const page = loadAsset(path.join(dir, 'index.html'));
  const files = new Map<string, Asset>(['page.js', 'page.css', 'embed.js'].map((name) => [`/webchat/${name}`, loadAsset(path.join(dir, name))]));
  // 3.9 MB: read and compressed once, off the event loop, on first request.
  let bundle: Promise<Asset> | undefined;
  const csp = contentSecurityPolicy(deps);

  const sendPage = async (req: restify.Request, res: restify.Response): Promise<void> => {
    res.header('Content-Security-Policy', csp);
    res.header('Referrer-Policy', 'no-referrer');
    res.header('X-Content-Type-Options', 'nosniff');
    sendAsset(req, res, page, 'no-cache');
  };
  server.get('/', sendPage);
  server.get('/webchat', sendPage);
  for (const [route, asset] of files) {
    server.get(route, async (req: restify.Request, res: restify.Response) => {
      // embed.js is fetched by other sites: let them load it, and keep caches short so updates land.
      if (route.endsWith('embed.js')) res.header('Cross-Origin-Resource-Policy', 'cross-origin');
      sendAsset(req, res, asset, 'public, max-age=300');
    });
  }
  const bundlePath = webChatBundlePath();
  if (!bundlePath) {
    deps.logger.warn('the Web Chat bundle is missing: run `npm run build` (it copies botframework-webchat into dist/public/)');
  }
  server.get('/webchat/webchat.js', async (req: restify.Request, res: restify.Response) => {
    if (!bundlePath) {
      sendHttpError(res, 503, 'WEBCHAT_BUNDLE_MISSING', 'The Web Chat script was not built on this server; run `npm run build`.');
      return;
    }
    bundle ??= loadAssetAsync(bundlePath);
    sendAsset(req, res, await bundle, 'public, max-age=86400');
  });

  const parseJson = restify.plugins.bodyParser({ maxBodySize: 8192, mapParams: false, mapFiles: false });
  // Rationed before the body is read, so a refused client costs no parsing.
  const admitSession: restify.RequestHandler = (req, res, next) => {
    if (!deps.sessions) return next();
    deps.sessions.admit(req, 'token').then(
      (admission) => {
        if (admission.ok) return next();
        sendRateLimited(res, admission, 'chat sessions');
        next(false);
      },
      (err: unknown) => next(err as Error),
    );
  };
  server.post('/api/directline/token', admitSession, ...parseJson, async (req: restify.Request, res: restify.Response) => {
    res.header('Cache-Control', 'no-store');
    // Optional: {"userToken": "<HS256 JWT from the host website>"} for a signed-in user.
    const userToken = req.body && typeof req.body === 'object' ? (req.body as { userToken?: unknown }).userToken : undefined;
    let verifiedUserId: string | undefined;
    if (userToken !== undefined) {
      const checked = checkHostUserToken(userToken, deps.userTokenSecret);
      if (!checked.ok) {
        sendHttpError(res, 401, 'WEBCHAT_USER_TOKEN_INVALID', checked.reason);
        return;
      }
      verifiedUserId = checked.userId;
    }
    try {
      const token = await deps.tokenSource.issue(publicBaseUrl(req, deps.publicUrl), verifiedUserId);
      res.json(token);
    } catch (err) {
      deps.logger.error({ err }, 'could not issue a Web Chat token');
      sendHttpError(res, 502, 'DIRECTLINE_UPSTREAM_FAILED', 'The chat service is not available right now; please try again shortly.');
    }
  });
}

/**
 * Path of botframework-webchat's self-contained browser bundle: `dist/public/webchat.js`, copied
 * there by `npm run build` so production installs need not carry the package, else the package
 * itself (a development checkout run from source). Undefined when neither exists.
 */
export function webChatBundlePath(): string | undefined {
  const built = fromRoot('dist/public/webchat.js');
  if (existsSync(built)) return built;
  try {
    // The package's "exports" hides dist/, so find the package from its main entry instead.
    const main = require.resolve('botframework-webchat');
    return path.join(main.slice(0, main.lastIndexOf(`${path.sep}lib${path.sep}`)), 'dist', 'webchat.js');
  } catch {
    return undefined;
  }
}

const gzip = promisify(gzipCallback);

function loadAsset(file: string): Asset {
  const body = readFileSync(file);
  return toAsset(file, body, gzipSync(body, { level: 9 }));
}

async function loadAssetAsync(file: string): Promise<Asset> {
  const body = await readFile(file);
  return toAsset(file, body, await gzip(body, { level: 9 }));
}

function toAsset(file: string, body: Buffer, compressed: Buffer): Asset {
  return {
    body,
    gzip: compressed,
    etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
    type: TYPES[path.extname(file)] ?? 'application/octet-stream',
  };
}

function sendAsset(req: restify.Request, res: restify.Response, asset: Asset, cacheControl: string): void {
  res.header('Cache-Control', cacheControl);
  res.header('ETag', asset.etag);
  res.header('Vary', 'Accept-Encoding');
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304);
    res.end();
    return;
  }
  const compressed = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = compressed ? asset.gzip : asset.body;
  res.writeHead(200, {
    'Content-Type': asset.type,
    'Content-Length': body.length,
    ...(compressed ? { 'Content-Encoding': 'gzip' } : {}),
  });
  res.end(body);
}

/**
 * Scripts only from this origin; Web Chat injects its styles at run time, hence
 * 'unsafe-inline' for styles only. Framing follows WEBCHAT_ALLOWED_ORIGINS.
 */
function contentSecurityPolicy(deps: WebChatPageDependencies): string {
  const connect = ["'self'", 'ws:', 'wss:'];
  if (deps.azureEndpoint) connect.push(new URL(deps.azureEndpoint).origin);
  const ancestors = deps.allowedOrigins.length > 0 ? ["'self'", ...deps.allowedOrigins].join(' ') : '*';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https:",
    "media-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    `frame-ancestors ${ancestors}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
