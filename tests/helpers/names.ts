import { randomBytes } from 'node:crypto';

/** A unique, lower-case name for a topic, bucket prefix or schema, per test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
