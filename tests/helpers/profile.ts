import { loadProfile } from '../../src/config/load.ts';
import type { Profile } from '../../src/config/schema.ts';

/** The local sandbox profile, with optional field overrides for one test. */
export function testProfile(patch: (p: Profile) => Profile = (p) => p): Profile {
  return patch(structuredClone(loadProfile('local').profile));
}
