import { HttpProblem } from './http-rules.ts';

/** One endpoint: its method and path (a `:name` segment matches one non-empty segment, decoded). */
interface RouteSpec {
  method: 'GET' | 'POST';
  path: string;
  /** Served without the token (the page's script and stylesheet). */
  open?: boolean;
  /** The 405's message for another method (default: only the actions take POST). */
  refuse?: string;
}

/** The console's HTTP API (docs/console.md#endpoints). */
export const ROUTES = {
  appJs: { method: 'GET', path: '/assets/app.js', open: true },
  appCss: { method: 'GET', path: '/assets/app.css', open: true },
  page: { method: 'GET', path: '/' },
  pipeline: { method: 'GET', path: '/api/pipeline' },
  events: { method: 'GET', path: '/api/events' },
  job: { method: 'GET', path: '/api/job', refuse: 'GET only.' },
  emulate: {
    method: 'POST',
    path: '/api/actions/emulate',
    refuse: 'Start a job with POST /api/actions/emulate.',
  },
  batch: { method: 'POST', path: '/api/actions/batch', refuse: 'Start a job with POST /api/actions/batch.' },
  topic: { method: 'GET', path: '/api/topics/:topic' },
  find: { method: 'GET', path: '/api/topics/:topic/find' },
  quarantine: { method: 'GET', path: '/api/quarantine' },
  verdict: { method: 'GET', path: '/api/verdict' },
  s3: { method: 'GET', path: '/api/s3' },
  s3Object: { method: 'GET', path: '/api/s3/object' },
  results: { method: 'GET', path: '/results' },
} as const satisfies Record<string, RouteSpec>;

export type RouteName = keyof typeof ROUTES;

/** The parameters a path pattern names: `/api/topics/:topic/find` → `{ topic: string }`. */
type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name]: string } & ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, string>;

/** A matched request: the route's name and its decoded path parameters. */
export type Route = {
  [N in RouteName]: { name: N; params: ParamsOf<(typeof ROUTES)[N]['path']> };
}[RouteName];

/** A route, or the 404/405 that answers the request (after the access check unless `open`). */
export type Match = { route: Route; open: boolean } | { refused: HttpProblem };

const DEFAULT_REFUSE = 'Only the /api/actions/* endpoints take POST.';

/** The parameters of `pathname` under `pattern`, or undefined when it does not match. */
function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, w] of want.entries()) {
    const g = got[i]!;
    if (!w.startsWith(':')) {
      if (w !== g) return undefined;
      continue;
    }
    if (g === '') return undefined;
    try {
      params[w.slice(1)] = decodeURIComponent(g);
    } catch {
      return undefined;
    }
  }
  return params;
}

/** The route of a request; a path of the API asked with another method is a 405, any other a 404. */
export function route(method: string, pathname: string): Match {
  let refuse: string | undefined;
  for (const [name, spec] of Object.entries(ROUTES) as Array<[RouteName, RouteSpec]>) {
    const params = matchPath(spec.path, pathname);
    if (!params) continue;
    if (spec.method === method) return { route: { name, params } as Route, open: spec.open === true };
    refuse ??= spec.refuse ?? DEFAULT_REFUSE;
  }
  if (refuse === undefined && method !== 'GET') refuse = DEFAULT_REFUSE;
  if (refuse !== undefined) return { refused: new HttpProblem(405, 'METHOD_NOT_ALLOWED', refuse) };
  return { refused: new HttpProblem(404, 'NOT_FOUND', `No such page: ${pathname}.`) };
}
