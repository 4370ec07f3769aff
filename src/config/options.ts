import { z } from 'zod';
import { PinpipeError } from '../errors.ts';

/**
 * Parses a stage's options with its schema; the first problem becomes a USAGE error whose message is
 * the one the schema gives for that field (each field's schema words its own message).
 */
export function parseStageOptions<S extends z.ZodType>(schema: S, input: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new PinpipeError('USAGE', parsed.error.issues[0]?.message ?? 'Invalid options.');
}

/** A number checked by `ok`; any other value (NaN, Infinity, a string) gets the same message. */
export function checkedNumber(ok: (v: number) => boolean, message: (got: unknown) => string) {
  return z
    .number({ error: (iss) => message(iss.input) })
    .refine(ok, { error: (iss) => message(iss.input), abort: true });
}
