import { KAFKA_RETRIABLE_ERROR_CODE } from './response.ts';
import { tableLines } from '../table.ts';
import { TOPIC_KEYS, type EmulatorSummary } from './types.ts';

/** The end-of-run summary for humans (pure); `--json` prints the summary object instead. */
export function formatSummary(s: EmulatorSummary): string {
  const lines: string[] = [];
  const rate = s.rate ? `, rate ≤ ${s.rate} posts/s` : '';
  lines.push(
    `emulate (${s.mode}, batch ${s.batch}, concurrency ${s.concurrency}${rate}, seed ${s.seed}) → ${s.target}`,
    `posts ${s.posts} drawn from ${s.sourceRows} source rows in ${(s.elapsedMs / 1000).toFixed(1)} s; stopped: ${s.stopReason}`,
  );
  const number = (header: string, minWidth: number) => ({ header, align: 'right' as const, minWidth });
  lines.push(
    ...tableLines(
      [
        { header: 'topic' },
        number('sent', 8),
        number('acked', 8),
        number('failed', 8),
        number('distinct ind', 12),
        {},
      ],
      TOPIC_KEYS.map((k) => {
        const t = s.topics[k];
        const counts = [t.sent, t.acknowledged, t.failed, t.distinctInds].map(String);
        return [t.topic, ...counts, t.missing ? `(${t.missing} missing in source)` : ''];
      }),
      { indent: '  ' },
    ),
  );
  lines.push(
    `records/s ${s.recordsPerSecond.toFixed(0)} | requests ${s.requests.sent} (retried ${s.requests.retried}, failed ${s.requests.failed}${s.requests.throttled ? `, throttled ${s.requests.throttled}` : ''}) | latency p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`,
  );
  for (const f of s.failures) {
    lines.push(
      `  failed: ${f.records} record(s) to ${f.topic}: ${f.status === null ? 'no answer' : `HTTP ${f.status}`}` +
        `${f.errorCode === null ? '' : ` error_code ${f.errorCode}`}: ${f.message}`,
    );
  }
  return lines.join('\n');
}

/** What to do next when records failed, from the first failure (pure; the CLI appends it to EMULATOR_FAILED). */
export function failureHint(s: EmulatorSummary, via: 'gateway' | 'proxy' | 'url', proxyUrl: string): string {
  if (s.failures.some((x) => x.errorCode === 40401))
    return 'The topics do not exist: create them with `pinpipe provision`.';
  if (s.failures.some((x) => x.errorCode === KAFKA_RETRIABLE_ERROR_CODE))
    return (
      `Kafka is unavailable behind the REST proxy (error_code ${KAFKA_RETRIABLE_ERROR_CODE}: the proxy at ${proxyUrl} ` +
      'answered, Kafka did not, longer than the emulator waits): check Kafka with `pinpipe status` ' +
      '(sandbox: `npm run sandbox:up` restarts it), then send again.'
    );
  const f = s.failures[0];
  if (f && f.status !== null && f.status >= 400 && f.status < 500) {
    return 'The target rejected the records (4xx, not retried): see the failures above.';
  }
  return via === 'gateway'
    ? `API Gateway forwards to the REST proxy at ${proxyUrl}: is \`pinpipe proxy\` running? (\`pinpipe status\`)`
    : 'Is the REST proxy running (`pinpipe proxy`)? (`pinpipe status`)';
}
