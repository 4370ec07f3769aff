import net from 'node:net';

/**
 * A TCP forwarder on 127.0.0.1 in front of a real service, that a test can switch to "hold":
 * connections are still accepted but nothing is forwarded and nothing answered (a stalled
 * endpoint). "hold-put" holds a connection from its first HTTP PUT on (S3 uploads stall while
 * HEAD/GET pass). `held` counts the chunks swallowed, so a test can wait until a request is
 * stuck. With no target it is a pure black hole.
 */
export interface TcpGate {
  readonly url: string;
  mode: 'pass' | 'hold' | 'hold-put';
  /** Chunks received and swallowed while holding. */
  readonly held: number;
  close(): Promise<void>;
}

export async function tcpGate(target: URL | undefined, mode: TcpGate['mode'] = 'pass'): Promise<TcpGate> {
  const sockets = new Set<net.Socket>();
  let held = 0;
  const gate = {
    url: '',
    mode,
    get held() {
      return held;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    let upstream: net.Socket | undefined;
    let stuck = false;
    if (gate.mode !== 'hold' && target) {
      upstream = net.connect(Number(target.port), target.hostname);
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream!);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream!.destroy());
      upstream.pipe(client);
    }
    client.on('data', (chunk: Buffer) => {
      if (gate.mode === 'hold' || (gate.mode === 'hold-put' && chunk.subarray(0, 4).toString() === 'PUT ')) {
        stuck = true;
      }
      if (!stuck && upstream) upstream.write(chunk);
      else held++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return gate;
}
