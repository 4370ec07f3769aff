/**
 * How one record value becomes one line of an object (docs/spec.md#object-content: newline-delimited JSON).
 *
 * Choice (docs/sink.md, docs/decisions.md): the ORIGINAL bytes are kept when they are valid JSON on
 * one line, so numbers beyond 2^53, key order and escapes survive exactly. A valid value that spans
 * several lines (pretty-printed) has its whitespace outside strings removed — still lossless,
 * because JSON strings cannot hold a raw line break. Anything else is rejected with a reason and
 * goes to errors/ (the connector would fail the task; pinpipe never blocks the partition).
 */
export type EncodedValue = { ok: true; line: string } | { ok: false; reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function encodeValue(value: Buffer | Uint8Array | null | undefined): EncodedValue {
  if (value === null || value === undefined) return { ok: false, reason: 'null value (tombstone)' };
  if (value.length === 0) return { ok: false, reason: 'empty value' };
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return { ok: false, reason: 'value is not valid UTF-8' };
  }
  try {
    JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `value is not valid JSON: ${(err as Error).message}` };
  }
  text = text.trim();
  if (/[\r\n]/.test(text)) text = stripWhitespace(text);
  return { ok: true, line: text };
}

/** Removes whitespace outside strings from text already known to be valid JSON. */
export function stripWhitespace(json: string): string {
  let out = '';
  let inString = false;
  let escaped = false;
  for (const ch of json) {
    if (inString) {
      out += ch;
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') {
      out += ch;
    }
  }
  return out;
}
