import type { Profile } from '../config/index.ts';
import { defaultCredentialChain } from '../clients/kafka-auth.ts';
import { describeError } from '../errors.ts';
import {
  checkBucket,
  checkCredentials,
  checkInvokeUrl,
  checkKafka,
  checkMysql,
  checkTopics,
  type CheckContext,
} from './checks.ts';
import {
  CheckFailure,
  type CheckName,
  type CheckOutcome,
  type CheckResult,
  type DoctorReport,
} from './types.ts';

export interface DoctorOptions {
  /** Per-check deadline. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called as each verdict is known (the CLI prints it at once). */
  onResult?: (r: CheckResult) => void;
  /** Values that must never appear in a verdict (redacted if a library echoes one). */
  secrets?: string[];
}

type Runner = (ctx: CheckContext) => Promise<CheckOutcome>;

/**
 * Runs the checks of a profile: credentials first (others need them on AWS), then bucket, Kafka,
 * invoke URL and MySQL in parallel, then the topics once Kafka answered. Each has a deadline, so a
 * machine without AWS access gets its verdicts in seconds.
 */
export async function runDoctor(profile: Profile, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 5000;
  const signal = opts.signal ?? new AbortController().signal;
  const usesChain = profile.aws.credentials === 'default-chain';
  const ctx: CheckContext = {
    profile,
    // Instance metadata gets one short try and no retry: doctor must answer fast off AWS.
    credentials: usesChain ? defaultCredentialChain({ timeoutMs: 1000, maxRetries: 0 }) : undefined,
    timeoutMs,
    signal,
  };
  const results = new Map<CheckName, CheckResult>();
  const run = async (name: CheckName, fn: Runner, skipBecause?: string): Promise<CheckResult> => {
    const r = skipBecause
      ? { name, status: 'skip' as const, detail: skipBecause, ms: 0 }
      : await runOne(name, fn, ctx, opts.secrets ?? []);
    results.set(name, r);
    opts.onResult?.(r);
    return r;
  };

  const cred = await run('credentials', checkCredentials);
  const noCredentials = cred.status === 'fail' && usesChain && cred.detail.startsWith('no AWS credentials');
  const noAws = noCredentials ? 'needs AWS credentials (see credentials)' : undefined;
  const mskNeedsAws = profile.kafka.security.mode === 'msk-iam' ? noAws : undefined;
  const gwNeedsAws = profile.apiGateway.invokeUrl ? undefined : noAws;
  await Promise.all([
    run('bucket', checkBucket, noAws),
    (async () => {
      const k = await run('kafka', checkKafka, mskNeedsAws);
      await run('topics', checkTopics, k.status === 'pass' ? undefined : 'needs Kafka (see kafka)');
    })(),
    run('invoke-url', checkInvokeUrl, gwNeedsAws),
    run('mysql', checkMysql),
  ]);
  const order: CheckName[] = ['credentials', 'bucket', 'kafka', 'topics', 'invoke-url', 'mysql'];
  const checks = order.map((n) => results.get(n)!).filter(Boolean);
  return {
    profile: profile.name,
    ok: checks.every((c) => c.status === 'pass' || c.status === 'warn'),
    checks,
    ms: Date.now() - started,
  };
}

async function runOne(
  name: CheckName,
  fn: Runner,
  ctx: CheckContext,
  secrets: string[],
): Promise<CheckResult> {
  const t0 = Date.now();
  const ac = new AbortController();
  const onAbort = () => ac.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  // A little more than the check's own socket timeouts, so those report first with a better message.
  const deadlineMs = ctx.timeoutMs + 1500;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort(new Error('deadline'));
      reject(
        new CheckFailure(
          `no answer within ${(deadlineMs / 1000).toFixed(1)} s`,
          'Check the endpoint in the profile and the network path',
        ),
      );
    }, deadlineMs);
  });
  try {
    const out = await Promise.race([fn({ ...ctx, signal: ac.signal }), deadline]);
    return scrub(
      { name, status: out.status ?? 'pass', detail: out.detail, fix: out.fix, ms: Date.now() - t0 },
      secrets,
    );
  } catch (err) {
    const fix = err instanceof CheckFailure ? err.fix : undefined;
    const detail = err instanceof CheckFailure ? err.message : describeError(err);
    return scrub({ name, status: 'fail', detail: oneLine(detail), fix, ms: Date.now() - t0 }, secrets);
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').slice(0, 400);
}

/** Second line of defence: checks never put secrets in verdicts, but a library message might echo one. */
export function scrub<T extends CheckResult>(r: T, secrets: string[]): T {
  const hide = (s: string | undefined) =>
    s === undefined
      ? s
      : secrets.filter((x) => x.length >= 4).reduce((acc, x) => acc.split(x).join('[redacted]'), s);
  return { ...r, detail: hide(r.detail)!, fix: hide(r.fix) };
}
