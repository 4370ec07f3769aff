import type http from 'node:http';
import { MAX_EMULATE, type Jobs } from './actions.ts';
import type { ConsoleData } from './data.ts';
import { PAGE_CSP, RESULTS_CSP, sendAsset, sendHtml, sendJson } from './http-io.ts';
import type { LiveFigures } from './live.ts';
import { HttpProblem, intParam } from './http-rules.ts';
import { cleanPrefix } from './s3-browse.ts';
import { indexHtml } from './page.ts';
import type { Route, RouteName } from './router.ts';

/** What a handler answers from: the request, its query, and the console's parts. */
export interface Exchange {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  query: URLSearchParams;
}

export interface ApiDeps {
  profileName: string;
  data: ConsoleData;
  jobs: Jobs;
  live: LiveFigures;
}

type Handler<N extends RouteName> = (
  params: Extract<Route, { name: N }>['params'],
  x: Exchange,
) => void | Promise<void>;

/** One handler per route of the table (router.ts): the compiler checks none is missing. */
export type Handlers = { [N in RouteName]: Handler<N> };

export function apiHandlers(d: ApiDeps): Handlers {
  return {
    appJs: (_, x) => sendAsset(x.res, 'app.js', 'text/javascript; charset=utf-8'),
    appCss: (_, x) => sendAsset(x.res, 'app.css', 'text/css; charset=utf-8'),
    page: (_, x) => sendHtml(x.res, indexHtml(d.profileName), PAGE_CSP),
    pipeline: async (_, x) => sendJson(x.res, 200, await d.live.current()),
    events: (_, x) => d.live.open(x.req, x.res),
    job: (_, x) => sendJson(x.res, 200, { job: d.jobs.current }),
    emulate: (_, x) => {
      x.req.resume();
      const count = intParam(x.query.get('count'), 'count', 1, MAX_EMULATE);
      if (count === undefined) {
        throw new HttpProblem(400, 'BAD_REQUEST', 'Say how many posts: POST /api/actions/emulate?count=<N>.');
      }
      sendJson(x.res, 202, d.jobs.start('emulate', count));
    },
    batch: (_, x) => {
      x.req.resume();
      sendJson(x.res, 202, d.jobs.start('batch'));
    },
    topic: async ({ topic }, x) => {
      const q = x.query;
      const page = {
        partition: intParam(q.get('partition'), 'partition'),
        offset: intParam(q.get('offset'), 'offset'),
        limit: intParam(q.get('limit'), 'limit', 1, 200) ?? 20,
      };
      sendJson(x.res, 200, await d.data.records(topic, page));
    },
    find: async ({ topic }, x) => {
      const ind = intParam(x.query.get('ind'), 'ind');
      if (ind === undefined) {
        throw new HttpProblem(400, 'BAD_REQUEST', 'Name the post: /api/topics/<topic>/find?ind=<N>.');
      }
      sendJson(x.res, 200, await d.data.findInd(topic, ind));
    },
    quarantine: (_, x) => sendJson(x.res, 200, d.data.quarantine()),
    verdict: async (_, x) => sendJson(x.res, 200, await d.data.verdict()),
    s3: async (_, x) => sendJson(x.res, 200, await d.data.s3List(cleanPrefix(x.query.get('prefix')))),
    s3Object: async (_, x) => {
      const key = cleanPrefix(x.query.get('key'));
      if (!key) throw new HttpProblem(400, 'BAD_REQUEST', 'Name the object: /api/s3/object?key=<key>.');
      sendJson(
        x.res,
        200,
        await d.data.s3Preview(key, intParam(x.query.get('lines'), 'lines', 1, 1000) ?? 20),
      );
    },
    results: async (_, x) => sendHtml(x.res, await d.data.resultsHtml(), RESULTS_CSP),
  };
}

/** Answers a routed request with its handler. */
export function answer(handlers: Handlers, r: Route, x: Exchange): void | Promise<void> {
  return (handlers[r.name] as Handler<RouteName>)(r.params as never, x);
}
