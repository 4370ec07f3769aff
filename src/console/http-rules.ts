/**
 * The console's HTTP rules (pure): the JSON problem it answers with, who may read data, and the
 * parameters it accepts. Unit-tested without a server.
 */
import { secretEquals } from '../secret-equals.ts';

/** An HTTP answer the server writes as JSON: `{ error: { code, message } }` for non-2xx. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
export function problemBody(p: HttpProblem): { error: { code: string; message: string } } {
  return { error: { code: p.code, message: p.message } };
}
/**
 * Whether a request may read data: it carries the token (query `token` or header
 * `x-pinpipe-token`) and names this server in Host (which defeats DNS rebinding), and a browser
 * request that states an Origin comes from this same origin.
 */
export function checkAccess(
  req: { url: string; headers: Record<string, string | string[] | undefined> },
  token: string,
  port: number,
): HttpProblem | undefined {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = header('host');
  if (!host || !allowedHosts.includes(host)) {
    return new HttpProblem(403, 'FORBIDDEN', `Host ${host ?? '(none)'} is not this console.`);
  }
  const origin = header('origin');
  if (origin && !allowedHosts.map((h) => `http://${h}`).includes(origin)) {
    return new HttpProblem(403, 'FORBIDDEN', `Requests from ${origin} are refused.`);
  }
  const given = new URL(req.url, 'http://x').searchParams.get('token') ?? header('x-pinpipe-token');
  if (!secretEquals(token, given)) {
    return new HttpProblem(
      403,
      'FORBIDDEN',
      'Missing or wrong token: open the URL `pinpipe console` printed (it ends in ?token=…).',
    );
  }
  return undefined;
}
/** A whole number ≥ min from a query parameter, `undefined` when absent, 400 otherwise. */
export function intParam(value: string | null, name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  if (value === null || value === '') return undefined;
  if (!/^\d+$/.test(value)) {
    throw new HttpProblem(400, 'BAD_REQUEST', `${name} must be a whole number (got "${value}").`);
  }
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpProblem(400, 'BAD_REQUEST', `${name} must be between ${min} and ${max} (got ${value}).`);
  }
  return n;
}
