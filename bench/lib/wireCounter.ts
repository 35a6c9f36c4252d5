import net from 'node:net';

/** Messages and bytes one way through a {@link WireCounter}. */
export interface WireTally {
  messages: number;
  bytes: number;
}

export interface WireCounter {
  /** `host:port` to give the client instead of the server's. */
  address: string;
  /** Client to server (requests) and server to client (replies) since the last reset. */
  sent: WireTally;
  received: WireTally;
  reset(): void;
  close(): Promise<void>;
}

/**
 * A loopback TCP relay in front of a MongoDB server that counts wire-protocol messages and their
 * bytes in each direction (every message starts with its int32 little-endian length), so a
 * benchmark can report a separate process's round trips per turn and their sizes without
 * touching that process.
 */
export async function startWireCounter(target: { host: string; port: number }): Promise<WireCounter> {
  const sent: WireTally = { messages: 0, bytes: 0 };
  const received: WireTally = { messages: 0, bytes: 0 };
  const sockets = new Set<net.Socket>();
  const counting = (tally: WireTally) => {
    let pending = 0; // bytes still to come of the current message
    const header: number[] = [];
    return (chunk: Buffer): void => {
      tally.bytes += chunk.length;
      let i = 0;
      while (i < chunk.length) {
        if (pending > 0) {
          const take = Math.min(pending, chunk.length - i);
          pending -= take;
          i += take;
          continue;
        }
        header.push(chunk[i++] as number);
        if (header.length === 4) {
          tally.messages += 1;
          pending = Buffer.from(header).readInt32LE(0) - 4;
          header.length = 0;
        }
      }
    };
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    const up = counting(sent);
    const down = counting(received);
    client.on('data', (chunk: Buffer) => {
      up(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      down(chunk);
      client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    sent,
    received,
    reset: () => {
      sent.messages = sent.bytes = received.messages = received.bytes = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
