import { isUtf8 } from 'node:buffer';

/**
 * The produce path's shortcut for the JSON embedded format: a body whose record keys and values are
 * already in the form `JSON.stringify` writes is taken apart where it lies, each key and value being
 * its own bytes of the body, instead of parsed and serialized again. Anything else (other envelope
 * fields, whitespace or escapes `JSON.stringify` would not write, duplicate or integer-like object
 * keys, numbers not in their shortest form, invalid UTF-8, nesting past the limit, any error) returns
 * undefined, and the body goes through `JSON.parse` as before; so for every body the records are the
 * same bytes, and every refusal the same answer, as without the shortcut (docs/decisions.md).
 */
export interface CanonicalRecord {
  key: Buffer | null;
  value: Buffer;
  partition: number | undefined;
}

/** The bytes the scan looks for, named in the order of the string they are taken from. */
const [QUOTE, BACKSLASH, COMMA, COLON, LBRACE, RBRACE, LBRACKET, RBRACKET, MINUS, DOT, ZERO, NINE] =
  Buffer.from('"\\,:{}[]-.09', 'latin1');

/** One scan's state: the nesting allowed, and the start/end of each key of the objects open. */
interface Scan {
  maxDepth: number;
  keys: number[];
}

/** Objects with more keys than this are left to JSON.parse (the duplicate check is quadratic). */
const MAX_KEYS_CHECKED = 64;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= ZERO && c <= NINE;
const isSpace = (c: number | undefined): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(b: Buffer, i: number): number {
  while (isSpace(b[i])) i++;
  return i;
}

/** True when `word` (ASCII) is at b[i..]. */
function bytesAt(b: Buffer, i: number, word: Uint8Array): boolean {
  if (i + word.length > b.length) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
const RECORDS = Buffer.from('"records"');
const VALUE = Buffer.from('"value"');
const KEY = Buffer.from('"key"');
const PARTITION = Buffer.from('"partition"');

/**
 * The end of the string at b[i] (a quote) when `JSON.stringify` would write it so: no control
 * characters, and escapes only for `"`, `\`, \b \f \n \r \t, and \u00xx (lower-case hex) for the other
 * control characters. Else -1.
 */
function stringEnd(b: Buffer, i: number): number {
  const n = b.length;
  let j = i + 1;
  for (;;) {
    // the bulk: bytes above the backslash (lower-case letters, UTF-8), and those from space up
    let c = 0;
    while (j < n && ((c = b[j]!) > BACKSLASH || (c >= 0x20 && c !== QUOTE && c !== BACKSLASH))) j++;
    if (j >= n || c < 0x20) return -1;
    if (c === QUOTE) return j + 1;
    const e = b[j + 1];
    if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    ) {
      j += 2;
      continue;
    }
    // \u00xx for a control character other than \b \t \n \f \r, which have their short escapes
    if (e !== 0x75 || b[j + 2] !== ZERO || b[j + 3] !== ZERO) return -1;
    const hi = b[j + 4];
    const lo = b[j + 5];
    if (hi !== ZERO && hi !== 0x31) return -1;
    const low = isDigit(lo) ? lo! - ZERO : lo !== undefined && lo >= 0x61 && lo <= 0x66 ? lo - 0x57 : -1;
    if (low < 0) return -1;
    const code = (hi - ZERO) * 16 + low;
    if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) return -1;
    j += 6;
  }
}

/**
 * The end of the number at b[i] when it is in its shortest form (as `String(n)` writes it), else -1.
 * Without an exponent, at most 15 significant digits (a double keeps 15 decimal digits, so no shorter
 * text names the same double), no leading zero, no trailing zero after the point, not "-0", and at
 * least 1e-6 (below it `String` writes an exponent): the number is its own shortest form. Other
 * numbers are checked by converting them.
 */
function numberEnd(b: Buffer, i: number): number {
  const first = b[i] === MINUS ? i + 1 : i;
  let k = first;
  while (isDigit(b[k])) k++;
  const intDigits = k - first;
  const zeroInt = intDigits === 1 && b[first] === ZERO;
  let significant = intDigits;
  let plain = intDigits >= 1 && (b[first] !== ZERO || zeroInt);
  if (b[k] === DOT) {
    const fraction = ++k;
    while (isDigit(b[k])) k++;
    if (k === fraction || b[k - 1] === ZERO) plain = false;
    else if (zeroInt) {
      let zeros = 0;
      while (b[fraction + zeros] === ZERO) zeros++;
      plain &&= zeros < 6;
      significant = k - fraction - zeros;
    } else significant += k - fraction;
  } else if (zeroInt && first > i) plain = false;
  if (plain && significant <= 15 && !isNumberChar(b[k])) return k;
  while (isNumberChar(b[k])) k++;
  const text = b.toString('latin1', i, k);
  return String(Number(text)) === text ? k : -1;
}

const isNumberChar = (c: number | undefined): boolean =>
  isDigit(c) || c === MINUS || c === 0x2b || c === DOT || c === 0x65 || c === 0x45;

/** The end of the object at b[i] when it is in `JSON.stringify`'s form and JSON.parse keeps its keys' order. */
function objectEnd(b: Buffer, i: number, depth: number, scan: Scan): number {
  if (depth > scan.maxDepth) return -1;
  const keys = scan.keys;
  let j = i + 1;
  if (b[j] === RBRACE) return j + 1;
  const base = keys.length;
  try {
    for (;;) {
      if (b[j] !== QUOTE) return -1;
      const k = stringEnd(b, j);
      if (k < 0) return -1;
      // An integer-like key would be moved first by JSON.parse; a repeated key would keep one value.
      let integerLike = k - j > 2;
      for (let x = j + 1; integerLike && x < k - 1; x++) integerLike = isDigit(b[x]);
      if (integerLike || keys.length - base >= MAX_KEYS_CHECKED * 2) return -1;
      for (let p = base; p < keys.length; p += 2) {
        const s = keys[p]!;
        if (keys[p + 1]! - s === k - j && sameBytes(b, s, j, k - j)) return -1;
      }
      keys.push(j, k);
      if (b[k] !== COLON) return -1;
      j = valueEnd(b, k + 1, depth, scan);
      if (j < 0) return -1;
      if (b[j] === COMMA) j++;
      else return b[j] === RBRACE ? j + 1 : -1;
    }
  } finally {
    keys.length = base;
  }
}

function sameBytes(b: Buffer, x: number, y: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

function arrayEnd(b: Buffer, i: number, depth: number, scan: Scan): number {
  if (depth > scan.maxDepth) return -1;
  let j = i + 1;
  if (b[j] === RBRACKET) return j + 1;
  for (;;) {
    j = valueEnd(b, j, depth, scan);
    if (j < 0) return -1;
    if (b[j] === COMMA) j++;
    else return b[j] === RBRACKET ? j + 1 : -1;
  }
}

/** The end of the JSON value at b[i] when `JSON.stringify(JSON.parse(it))` gives the same text, else -1. */
function valueEnd(b: Buffer, i: number, depth: number, scan: Scan): number {
  const c = b[i];
  if (c === QUOTE) return stringEnd(b, i);
  if (c === LBRACE) return objectEnd(b, i, depth + 1, scan);
  if (c === LBRACKET) return arrayEnd(b, i, depth + 1, scan);
  if (c === MINUS || isDigit(c)) return numberEnd(b, i);
  const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
  return bytesAt(b, i, word) ? i + word.length : -1;
}

/**
 * The records of a JSON-format produce body `{"records":[{"value":…,"key"?:…,"partition"?:…},…]}`
 * (whitespace allowed around the envelope's tokens), each key and value a slice of `raw`; undefined
 * when the body is anything else (see above). `depthLimit` is the nesting the full path allows.
 */
export function canonicalJsonRecords(
  raw: Buffer,
  depthLimit: number,
  partitionFromPath: number | undefined,
): CanonicalRecord[] | undefined {
  if (!isUtf8(raw)) return undefined;
  const scan: Scan = { maxDepth: depthLimit, keys: [] };
  let j = skipSpace(raw, 0);
  if (raw[j] !== LBRACE) return undefined;
  j = skipSpace(raw, j + 1);
  if (!bytesAt(raw, j, RECORDS)) return undefined;
  j = skipSpace(raw, j + RECORDS.length);
  if (raw[j] !== COLON) return undefined;
  j = skipSpace(raw, j + 1);
  if (raw[j] !== LBRACKET) return undefined;
  const out: CanonicalRecord[] = [];
  for (;;) {
    j = skipSpace(raw, j + 1);
    if (raw[j] !== LBRACE) return undefined;
    let key: Buffer | null = null;
    let value: Buffer | undefined;
    let partition: number | undefined;
    let seen = 0;
    for (;;) {
      j = skipSpace(raw, j + 1);
      const field = bytesAt(raw, j, VALUE)
        ? 1
        : bytesAt(raw, j, KEY)
          ? 2
          : bytesAt(raw, j, PARTITION)
            ? 4
            : 0;
      if (field === 0 || seen & field) return undefined;
      seen |= field;
      j = skipSpace(raw, j + (field === 1 ? VALUE : field === 2 ? KEY : PARTITION).length);
      if (raw[j] !== COLON) return undefined;
      j = skipSpace(raw, j + 1);
      const isNull = bytesAt(raw, j, NULL);
      if (field === 4) {
        if (isNull) j += NULL.length;
        else {
          // digits alone, no leading zero, at most 15 (a safe integer); anything else to the full path
          let end = j;
          while (isDigit(raw[end])) end++;
          if (end === j || end - j > 15 || (raw[j] === ZERO && end - j > 1)) return undefined;
          partition = Number(raw.toString('latin1', j, end));
          j = end;
        }
      } else if (field === 2 && isNull) {
        j += NULL.length;
      } else {
        if (isNull) return undefined; // a null value is refused by the full path
        const end = valueEnd(raw, j, 3, scan);
        if (end < 0) return undefined;
        if (field === 1) value = raw.subarray(j, end);
        else key = raw.subarray(j, end);
        j = end;
      }
      j = skipSpace(raw, j);
      if (raw[j] === RBRACE) break;
      if (raw[j] !== COMMA) return undefined;
    }
    if (value === undefined) return undefined;
    out.push({ key, value, partition: partition ?? partitionFromPath });
    j = skipSpace(raw, j + 1);
    if (raw[j] === RBRACKET) break;
    if (raw[j] !== COMMA) return undefined;
  }
  j = skipSpace(raw, j + 1);
  if (raw[j] !== RBRACE) return undefined;
  return skipSpace(raw, j + 1) === raw.length ? out : undefined;
}
