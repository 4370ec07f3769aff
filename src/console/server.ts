import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { Jobs } from './actions.ts';
import { answer, apiHandlers } from './api.ts';
import { ConsoleData } from './data.ts';
import { sendJson } from './http-io.ts';
import { LiveFigures } from './live.ts';
import { HttpProblem, checkAccess, problemBody } from './http-rules.ts';
import { route } from './router.ts';

/** The console only ever listens on the loopback interface. */
export const CONSOLE_HOST = '127.0.0.1';
export const DEFAULT_CONSOLE_PORT = 8089;

export interface RunningConsole {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Starts the console; the token is random unless given (tests pass none). */
export async function startConsole(opts: {
  profile: Profile;
  /** How long a reconciliation verdict is reused (default VERDICT_MS). */
  verdictMs?: number;
  port?: number;
  token?: string;
}): Promise<RunningConsole> {
  const token = opts.token ?? randomBytes(18).toString('base64url');
  const jobs = new Jobs(opts.profile);
  const live: LiveFigures = new LiveFigures(
    () => data.figures(),
    () => jobs.current,
  );
  // a verdict reaches open pages as soon as it is reached, not with the next figures frame
  const data = new ConsoleData(opts.profile, {
    verdictMs: opts.verdictMs,
    onVerdict: (v) => live.push('verdict', v),
  });
  const handlers = apiHandlers({ profileName: opts.profile.name, data, jobs, live });
  let port = 0;

  /** The route table first, so the page's assets need no token; the token, Host and Origin then. */
  const serve = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://console');
    const m = route(req.method ?? 'GET', url.pathname);
    if (!('route' in m && m.open)) {
      const denied = checkAccess(
        { url: req.url ?? '/', headers: req.headers as Record<string, string | undefined> },
        token,
        port,
      );
      if (denied) throw denied;
    }
    if ('refused' in m) throw m.refused;
    await answer(handlers, m.route, { req, res, query: url.searchParams });
  };

  const server = http.createServer((req, res) => {
    serve(req, res).catch((err: unknown) => {
      const p =
        err instanceof HttpProblem
          ? err
          : new HttpProblem(500, 'INTERNAL', `The console failed: ${describeError(err)}.`);
      if (res.headersSent) res.end();
      else sendJson(res, p.status, problemBody(p));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new PinpipeError(
              'USAGE',
              `Port ${opts.port} on ${CONSOLE_HOST} is in use. Pass another one: pinpipe console --port <N>.`,
            )
          : err,
      );
    });
    server.listen(opts.port ?? DEFAULT_CONSOLE_PORT, CONSOLE_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  void live.tick();

  return {
    url: `http://${CONSOLE_HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      live.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await live.settled();
      await jobs.close();
      await data.close();
    },
  };
}
