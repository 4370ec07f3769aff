import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpErrors } from './confluent-errors.ts';
import { V2_CONTENT_TYPE } from './responses.ts';

/** The declared Content-Length of a request, or undefined (chunked or absent). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}

/** Counts bytes of a body of unknown length against a cap while it is read. */
export interface BodyMeter {
  /** False when `n` more bytes are over the cap: reading stops with `refusal()`. */
  grow(n: number): boolean;
  refusal(): Error;
}

/**
 * Reads a request body up to `limit` bytes; beyond it, a 413 (the rest is discarded, not buffered).
 * With a `meter`, every chunk is counted as it arrives and the read is cut off when the meter refuses.
 */
export function readBody(req: IncomingMessage, limit: number, meter?: BodyMeter): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return Promise.reject(httpErrors.tooLarge(limit));
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
      if (meter && !meter.grow(chunk.length)) {
        failed = true;
        chunks.length = 0;
        reject(meter.refusal());
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
    // A client that went away mid-body: nothing more will come.
    req.on('close', () => {
      if (!failed && !req.complete) {
        failed = true;
        chunks.length = 0;
        reject(new Error('the client closed the connection before sending the whole body'));
      }
    });
  });
}

/**
 * An answer decided before the body was read (413, 429, 503, 401, 415) leaves a client still
 * uploading. Closing the socket under it would make its next write fail (EPIPE, ECONNRESET) before it
 * reads the answer and its Retry-After. So only our side is closed after the answer (FIN), and the
 * rest of the body is read and discarded, up to these bounds; past them the socket is destroyed.
 */
export const UNREAD_BODY_BOUNDS = { ms: 10_000, bytes: 16 * 1024 * 1024 };

/**
 * Writes a JSON answer with Confluent's v2 content type. When the request body was not read to the
 * end, the connection is closed after the answer instead of reused: our side first, while the rest
 * of the body is discarded (bounded by UNREAD_BODY_BOUNDS).
 */
export function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
  opts: { close?: boolean } = {},
): void {
  if (res.headersSent || res.destroyed) return;
  // A string, not a Buffer: Node then writes the headers and the body in one write.
  const payload = JSON.stringify(body);
  const unread = !req.complete;
  res.statusCode = status;
  res.setHeader('Content-Type', V2_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  if (opts.close || unread) res.setHeader('Connection', 'close');
  if (unread) discardRestOfBody(req);
  res.end(payload);
}

/** Reads and drops what the client still sends, then lets the connection close (see UNREAD_BODY_BOUNDS). */
function discardRestOfBody(req: IncomingMessage): void {
  const socket = req.socket;
  // Node ends and then destroys a "Connection: close" socket once the answer is written
  // (destroySoon); while the body is still coming, only our side is ended.
  const closeAsNodeDoes = socket.destroySoon.bind(socket);
  socket.destroySoon = () => {
    if (req.complete) closeAsNodeDoes();
    else if (socket.writable) socket.end();
  };
  const cutOff = () => socket.destroy();
  const timer = setTimeout(cutOff, UNREAD_BODY_BOUNDS.ms).unref();
  socket.once('close', () => clearTimeout(timer));
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > UNREAD_BODY_BOUNDS.bytes) cutOff();
  });
  // The whole body is in and the answer out: nothing is left to read or write.
  req.once('end', () => {
    if (socket.writableEnded) closeAsNodeDoes();
  });
  req.resume();
}

export { httpErrors };
