import type { Profile } from './schema.ts';

/** Small rules a schema cannot express; each returns errors (fatal) or warnings. */
export function checkProfile(p: Profile): { errors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (p.aws.credentials === 'static' && !p.aws.endpoint) {
    errors.push('aws.credentials: "static" is only for an emulator; set aws.endpoint or use "default-chain".');
  }
  if (p.mysql.password && p.mysql.passwordEnv) {
    errors.push('mysql: set either password (sandbox only) or passwordEnv, not both.');
  }
  if (p.mysql.password && !p.sandbox.enabled) {
    errors.push('mysql.password: a stored password is only allowed on sandbox profiles; use mysql.passwordEnv.');
  }
  const sec = p.kafka.security;
  if (sec.mode === 'sasl-scram' && (!sec.username || !sec.passwordEnv || !sec.mechanism)) {
    errors.push('kafka.security: sasl-scram needs mechanism, username and passwordEnv.');
  }
  if (p.sink.rotateScheduleIntervalMs > 0 && p.sink.rotateScheduleIntervalMs < 100) {
    warnings.push('sink.rotateScheduleIntervalMs under 100 ms writes very small objects.');
  }
  return { errors, warnings };
}
