import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpErrors } from './confluent-errors.ts';
import { V2_CONTENT_TYPE } from './responses.ts';

/** Reads a request body up to `limit` bytes; beyond it, a 413 (the rest is discarded, not buffered). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(httpErrors.tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(httpErrors.tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
  });
}

/**
 * Writes a JSON answer with Confluent's v2 content type. When the request body was not read to the
 * end (413, 415, 401 before reading), the connection is closed after the answer instead of reused,
 * and the unread body is discarded.
 */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  opts: { close?: boolean } = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const payload = Buffer.from(JSON.stringify(body));
  const unread = !req.complete;
  res.statusCode = status;
  res.setHeader('Content-Type', V2_CONTENT_TYPE);
  res.setHeader('Content-Length', payload.length);
  if (opts.close || unread) res.setHeader('Connection', 'close');
  res.end(payload);
  if (unread) {
    req.resume();
    // A client that keeps streaming a huge body is cut off once the answer is out.
    res.on('finish', () => setTimeout(() => req.socket.destroy(), 2000).unref());
  }
}

export { httpErrors };
