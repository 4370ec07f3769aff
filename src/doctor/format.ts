import { type Profile, readSecret } from '../config/index.ts';
import { tableLines } from '../table.ts';
import type { CheckResult, DoctorReport } from './types.ts';

const MARK: Record<CheckResult['status'], string> = {
  pass: 'ok  ',
  warn: 'warn',
  fail: 'FAIL',
  skip: 'skip',
};

/** One line per check: `ok   kafka        1 broker(s) answered … (120 ms)`, then `     fix: …`. */
export function formatResult(r: CheckResult): string[] {
  const rows = [[MARK[r.status], r.name, `${r.detail} (${r.ms} ms)`]];
  if (r.fix && r.status !== 'pass') rows.push(['', '', `fix: ${r.fix}`]);
  return tableLines([{ minWidth: 4 }, { minWidth: 11 }, {}], rows, { gap: ' ' });
}

export function formatSummary(report: DoctorReport): string {
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'skip');
  if (failed.length === 0) {
    const warns = report.checks.filter((c) => c.status === 'warn').length;
    const note = warns > 0 ? ` (${warns} warning${warns > 1 ? 's' : ''})` : '';
    return `All ${report.checks.length} checks passed${note} for profile ${report.profile} in ${(report.ms / 1000).toFixed(1)} s.`;
  }
  const first = failed.find((c) => c.status === 'fail') ?? failed[0]!;
  return `${failed.length} of ${report.checks.length} checks did not pass for profile ${report.profile} (first failing step: ${first.name}).`;
}

/**
 * Every secret value the profile names (password variables, API key, SASL token) plus the AWS
 * secrets of the environment: doctor redacts them from its output should a library echo one.
 */
export function profileSecrets(profile: Profile): string[] {
  const names = [
    profile.mysql.passwordEnv,
    profile.proxy.apiKeyEnv,
    profile.kafka.security.tokenEnv,
    profile.kafka.security.passwordEnv,
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
  ];
  const values = names.map((n) => readSecret(n)).filter((v): v is string => Boolean(v));
  if (profile.mysql.password) values.push(profile.mysql.password);
  return values;
}
