import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../telemetry/logger';
import { queryOf } from './http';
import { DIRECTLINE_BASE_PATH } from './routes';
import { parseWatermark, type DirectLineStore } from './store';
import type { StreamHub } from './StreamHub';
import type { DirectLineTokens } from './tokens';

const STREAM_PATH = new RegExp(`^${DIRECTLINE_BASE_PATH.replace(/\//g, '\\/')}\\/conversations\\/([^/?]+)\\/stream(?:\\?|$)`);

/** Largest frame a client may send; clients send only empty keep-alives. */
const MAX_CLIENT_FRAME_BYTES = 4096;

export interface StreamUpgradeDependencies {
  tokens: DirectLineTokens;
  store: DirectLineStore;
  hub: StreamHub;
  logger: Logger;
}

/**
 * Accepts WebSocket upgrades on /v3/directline/conversations/:id/stream?t=<token>[&watermark=N]
 * (the streamUrl the REST API hands out) on restify's underlying HTTP server. Upgrades on other
 * paths are left to other listeners. Returns a function that detaches the listener.
 */
export function attachStreamUpgrade(httpServer: Server, deps: StreamUpgradeDependencies): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME_BYTES });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const match = STREAM_PATH.exec(req.url ?? '');
    if (!match) return;
    void (async () => {
      let conversationId: string;
      try {
        conversationId = decodeURIComponent(match[1] as string);
      } catch {
        return refuse(socket, 400, 'Bad Request');
      }
      const query = queryOf(req);
      const credential = deps.tokens.authenticate(query.get('t') ?? undefined);
      if (credential === 'missing') return refuse(socket, 401, 'Unauthorized');
      if (credential === 'invalid' || credential === 'expired') return refuse(socket, 403, 'Forbidden');
      if (credential.kind === 'token' && credential.claims.conv !== conversationId) return refuse(socket, 403, 'Forbidden');
      if (!(await deps.store.getConversation(conversationId))) return refuse(socket, 404, 'Not Found');
      wss.handleUpgrade(req, socket, head, (ws) => {
        const expiresAt = credential.kind === 'token' ? credential.claims.exp * 1000 : undefined;
        deps.hub.attach(conversationId, ws, parseWatermark(query.get('watermark') ?? undefined), expiresAt);
      });
    })().catch((err: unknown) => {
      deps.logger.error({ err }, 'Direct Line stream upgrade failed');
      refuse(socket, 500, 'Internal Server Error');
    });
  };

  httpServer.on('upgrade', onUpgrade);
  return () => {
    httpServer.off('upgrade', onUpgrade);
    wss.close();
  };
}

function refuse(socket: Duplex, status: number, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
