import type { Profile } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { HttpProblem } from './http-rules.ts';
import { startCommand } from './stages.ts';

/** How long one probe of a store (MySQL, Kafka, S3) may take before its stage shows down. */
export const PROBE_MS = 2500;

/** `p`, or a rejection saying `what` did not answer within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** What startCommand needs to know of a profile. */
export function startProfile(profile: Profile): { name: string; sandboxEnabled: boolean } {
  return { name: profile.name, sandboxEnabled: profile.sandbox.enabled };
}

/** The 503 of an endpoint whose store cannot be read, with the command that starts it. */
export function storeUnavailable(id: 'kafka' | 's3', profile: Profile, err: unknown): HttpProblem {
  const what = id === 'kafka' ? 'Kafka' : 'S3';
  return new HttpProblem(
    503,
    `${what.toUpperCase()}_UNAVAILABLE`,
    `${what} cannot be read (${describeError(err)}). Start it: ${startCommand(id, startProfile(profile))}.`,
  );
}
