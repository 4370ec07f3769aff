import type http from 'node:http';
import { readFileSync } from 'node:fs';

const BASE_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'SAMEORIGIN',
};

/** The page's Content-Security-Policy: nothing but the console itself. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; form-action 'none'";

/** The results page's: its inline styles and charts alone. */
export const RESULTS_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function send(res: http.ServerResponse, status: number, type: string, body: string, extra = {}): void {
  res.writeHead(status, { ...BASE_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`);
}

export function sendHtml(res: http.ServerResponse, body: string, csp: string): void {
  send(res, 200, 'text/html; charset=utf-8', body, { 'content-security-policy': csp });
}

/** Opens a Server-Sent Events stream. */
export function openEventStream(res: http.ServerResponse): void {
  res.writeHead(200, {
    ...BASE_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    connection: 'keep-alive',
  });
  res.write('retry: 1000\n\n');
}

/** One Server-Sent Events frame. */
export function eventFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A file of assets/, read on each request. */
export function sendAsset(res: http.ServerResponse, file: string, type: string): void {
  send(res, 200, type, readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8'));
}
