import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile, readEnv } from '../../src/config/index.ts';
import { cleanupPipeline, isolatedPipelineEnv } from '../helpers/isolated.ts';
import { runTs } from '../helpers/run.ts';

/**
 * `npm run demo -- --profile local-secure`: the local rehearsal of profiles/aws.yaml, on the shared
 * sandbox — Kafka over SASL/OAUTHBEARER and a proxy that requires its API key — from emulation
 * through the gateway to the reconciliation. The key is never printed.
 */
describe('npm run demo --profile local-secure (API key + SASL/OAUTHBEARER)', { timeout: 300_000 }, () => {
  let isolated: Record<string, string>;
  let env: Record<string, string>;
  const key = `k-${randomBytes(12).toString('hex')}`;
  beforeAll(async () => {
    isolated = await isolatedPipelineEnv('e2esec');
    env = { ...isolated, PINPIPE_PROXY_API_KEY: key };
  });
  afterAll(async () => {
    // The cleanup reads the plain local profile, which names no key variable.
    await cleanupPipeline(isolated);
  });

  it('emulates with the key, produces over SASL, and reconciles every record', async () => {
    const secure = loadProfile('local-secure', readEnv({ ...process.env, ...env })).profile;
    expect(secure.proxy.apiKeyEnv).toBe('PINPIPE_PROXY_API_KEY');
    expect(secure.kafka.security.mode).toBe('sasl-oauthbearer');
    const r = await runTs('scripts/demo.ts', ['--profile', 'local-secure', '--count', '60', '--seed', '5'], {
      env,
    });
    expect(r.code, r.stderr.slice(-3000)).toBe(0);
    expect(r.stderr).toMatch(/\[2\/7\] proxy: .*\(API key required\): done/);
    expect(r.stdout).toMatch(/reconciliation: every record is accounted for/);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith(`${secure.pipelineId}.`));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const cells = row.trim().split(/\s+/);
      // topic, sent, kafka, s3, …, verdict: all 60 acknowledged through the keyed proxy
      expect(cells.slice(1, 4)).toEqual(['60', '60', '60']);
      expect(cells[8]).toBe('ok');
    }
    expect(`${r.stdout}${r.stderr}`).not.toContain(key);
  });
});
