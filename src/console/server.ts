import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../config/index.ts';
import { PinpipeError, describeError } from '../errors.ts';
import { ConsoleData, type PipelineFigures } from './data.ts';
import { HttpProblem, checkAccess, cleanPrefix, intParam, problemBody } from './logic.ts';
import { indexHtml } from './page.ts';
import { Jobs, MAX_EMULATE } from './actions.ts';

/** The console only ever listens on the loopback interface. */
export const CONSOLE_HOST = '127.0.0.1';
export const DEFAULT_CONSOLE_PORT = 8089;
/** How often the pipeline figures are refreshed and pushed to every open page. */
export const TICK_MS = 1000;

const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

function asset(file: string): string {
  return readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8');
}

export interface RunningConsole {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'SAMEORIGIN',
};

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'";

function send(res: http.ServerResponse, status: number, type: string, body: string, extra = {}): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);
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
  const streams = new Set<http.ServerResponse>();
  // a verdict reaches open pages as soon as it is reached, not with the next figures frame
  const data = new ConsoleData(opts.profile, {
    verdictMs: opts.verdictMs,
    onVerdict: (v) => {
      const frame = `event: verdict\ndata: ${JSON.stringify(v)}\n\n`;
      for (const s of streams) s.write(frame);
    },
  });
  const jobs = new Jobs(opts.profile);
  let latest: PipelineFigures | undefined;
  let latestAt = 0;
  let refreshing: Promise<PipelineFigures> | undefined;
  let port = 0;

  const refresh = (): Promise<PipelineFigures> => {
    refreshing ??= data.figures().then(
      (f) => {
        latest = f;
        latestAt = Date.now();
        refreshing = undefined;
        return f;
      },
      (err: unknown) => {
        refreshing = undefined;
        throw err;
      },
    );
    return refreshing;
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async () => {
    const started = Date.now();
    if (streams.size > 0) {
      try {
        const f = await refresh();
        const frame = `event: figures\ndata: ${JSON.stringify({ ...f, job: jobs.current })}\n\n`;
        for (const s of streams) s.write(frame);
      } catch {
        // figures() marks failing stages itself; an unexpected failure waits for the next tick
      }
    }
    if (!stopped) timer = setTimeout(() => void tick(), Math.max(0, TICK_MS - (Date.now() - started)));
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://console');
    const a = ASSETS[url.pathname];
    if (a && req.method === 'GET') {
      send(res, 200, a.type, asset(a.file));
      return;
    }
    const denied = checkAccess(
      { url: req.url ?? '/', headers: req.headers as Record<string, string | undefined> },
      token,
      port,
    );
    if (denied) throw denied;
    const path = url.pathname;
    const q = url.searchParams;
    const action = /^\/api\/actions\/(emulate|batch)$/.exec(path);
    if (action) {
      if (req.method !== 'POST') {
        throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', `Start a job with POST ${path}.`);
      }
      req.resume();
      const count = action[1] === 'emulate' ? intParam(q.get('count'), 'count', 1, MAX_EMULATE) : undefined;
      if (action[1] === 'emulate' && count === undefined) {
        throw new HttpProblem(400, 'BAD_REQUEST', 'Say how many posts: POST /api/actions/emulate?count=<N>.');
      }
      const job = jobs.start(action[1] as 'emulate' | 'batch', count);
      sendJson(res, 202, job);
      return;
    }
    if (path === '/api/job') {
      if (req.method !== 'GET') throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'GET only.');
      sendJson(res, 200, { job: jobs.current });
      return;
    }
    if (req.method !== 'GET') {
      throw new HttpProblem(405, 'METHOD_NOT_ALLOWED', 'Only the /api/actions/* endpoints take POST.');
    }
    if (path === '/') {
      send(res, 200, 'text/html; charset=utf-8', indexHtml(opts.profile.name), {
        'content-security-policy': PAGE_CSP,
      });
      return;
    }
    if (path === '/api/pipeline') {
      const f = latest && Date.now() - latestAt < TICK_MS ? latest : await refresh();
      sendJson(res, 200, { ...f, job: jobs.current });
      return;
    }
    if (path === '/api/events') {
      res.writeHead(200, {
        ...BASE_HEADERS,
        'content-type': 'text/event-stream; charset=utf-8',
        connection: 'keep-alive',
      });
      res.write('retry: 1000\n\n');
      if (latest) res.write(`event: figures\ndata: ${JSON.stringify({ ...latest, job: jobs.current })}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const find = /^\/api\/topics\/([^/]+)\/find$/.exec(path);
    if (find) {
      const ind = intParam(q.get('ind'), 'ind');
      if (ind === undefined) {
        throw new HttpProblem(400, 'BAD_REQUEST', 'Name the post: /api/topics/<topic>/find?ind=<N>.');
      }
      sendJson(res, 200, await data.findInd(decodeURIComponent(find[1]!), ind));
      return;
    }
    if (path === '/api/quarantine') {
      sendJson(res, 200, data.quarantine());
      return;
    }
    if (path === '/api/verdict') {
      sendJson(res, 200, await data.verdict());
      return;
    }
    const topic = /^\/api\/topics\/([^/]+)$/.exec(path);
    if (topic) {
      const name = decodeURIComponent(topic[1]!);
      sendJson(
        res,
        200,
        await data.records(name, {
          partition: intParam(q.get('partition'), 'partition'),
          offset: intParam(q.get('offset'), 'offset'),
          limit: intParam(q.get('limit'), 'limit', 1, 200) ?? 20,
        }),
      );
      return;
    }
    if (path === '/api/s3') {
      sendJson(res, 200, await data.s3List(cleanPrefix(q.get('prefix'))));
      return;
    }
    if (path === '/api/s3/object') {
      const key = cleanPrefix(q.get('key'));
      if (!key) throw new HttpProblem(400, 'BAD_REQUEST', 'Name the object: /api/s3/object?key=<key>.');
      sendJson(res, 200, await data.s3Preview(key, intParam(q.get('lines'), 'lines', 1, 1000) ?? 20));
      return;
    }
    if (path === '/results') {
      send(res, 200, 'text/html; charset=utf-8', await data.resultsHtml(), {
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      });
      return;
    }
    throw new HttpProblem(404, 'NOT_FOUND', `No such page: ${path}.`);
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
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
  void tick();

  return {
    url: `http://${CONSOLE_HOST}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      stopped = true;
      clearTimeout(timer);
      for (const s of streams) s.end();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await refreshing?.catch(() => undefined);
      await jobs.close();
      await data.close();
    },
  };
}
