import { randomBytes } from 'node:crypto';
import { SCRATCH_SCHEMA_PREFIX } from '../sandbox/mysql/setup.ts';

/** A unique, lower-case name for a topic, bucket prefix or schema, per test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * A unique MySQL schema name for a test or bench: `pinpipe_test_<what>_…`, the names the sandbox's
 * application user may create and drop (sandbox/mysql/setup.ts).
 */
export function uniqueSchema(what: string): string {
  return `${SCRATCH_SCHEMA_PREFIX}${uniqueName(what).replace(/-/g, '_')}`;
}
