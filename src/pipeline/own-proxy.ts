import { PinpipeError, isPinpipeError } from '../errors.ts';
import { startProxy, type StartProxyOptions, type StartedProxy } from '../proxy/index.ts';

/**
 * Starts the proxy a command runs for itself (`pinpipe run`, the demo). When the port is taken,
 * says whether the process holding it is a pinpipe proxy (it answers /health like one) and what to do.
 */
export async function startOwnProxy(opts: StartProxyOptions, command: string): Promise<StartedProxy> {
  try {
    return await startProxy(opts);
  } catch (err) {
    const cause = isPinpipeError(err) ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
    if (cause?.code !== 'EADDRINUSE') throw err;
    const host = opts.host ?? opts.profile.proxy.host;
    const port = opts.port ?? opts.profile.proxy.port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // A Kafka REST proxy answers `GET /` with the v2 media type, without needing Kafka.
    const type = await fetch(`${url}/`, { signal: AbortSignal.timeout(1000) })
      .then(async (r) => {
        await r.body?.cancel();
        return r.headers.get('content-type') ?? '';
      })
      .catch(() => '');
    if (type.startsWith('application/vnd.kafka')) {
      throw new PinpipeError(
        'PROXY_UNAVAILABLE',
        `Port ${port} on ${host} is in use by a REST proxy that is already running (a \`pinpipe proxy\` started ` +
          `earlier?). ${command} starts its own: stop that one first (Ctrl-C in its terminal), or set proxy.port ` +
          '(PINPIPE_PROXY__PORT) for this run.',
        { cause: err },
      );
    }
    throw new PinpipeError(
      'PROXY_UNAVAILABLE',
      `Port ${port} on ${host} is in use by another program (not a REST proxy). ${command} needs it for its proxy: ` +
        'stop that program, or set proxy.port (PINPIPE_PROXY__PORT).',
      { cause: err },
    );
  }
}
