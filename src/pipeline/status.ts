import { type Profile, topicNames } from '../config/index.ts';
import { createKafkaAdmin } from '../clients/kafka.ts';
import { groupOffsets, topicOffsets } from '../clients/kafka-topics.ts';
import { createS3 } from '../clients/s3.ts';
import { listKeys, readSinkStatus, sinkStatusPath } from '../sink/index.ts';
import { describeError } from '../errors.ts';
import { TOPIC_KEYS, type TopicKey } from '../emulator/types.ts';
import { lastBatchSummary } from '../verify/index.ts';
import { type TableColumn, tableLines } from '../table.ts';
import { ledgerTotals, proxyLedgerPath, readAckLedger } from '../ledger/index.ts';

export interface TopicStatus {
  topic: string;
  /** Records in the Kafka log. */
  records: number | null;
  /** Records not yet committed by the sink's consumer group (not yet stored in S3). */
  sinkLag: number | null;
  /** Of those, records a running sink has read and holds in memory; null when no sink runs. */
  sinkBuffered: number | null;
  objects: number | null;
  /** Records `pinpipe proxy` acknowledged for this topic (its ledger); null when it never ran. */
  proxyAcknowledged: number | null;
}

export interface PipelineStatus {
  profile: string;
  topics: Record<TopicKey, TopicStatus>;
  emulated: { runs: number; acknowledged: Record<TopicKey, number> };
  proxy: { url: string; up: boolean; detail: string };
  sink: { running: boolean; pid: number | null };
  lastBatch: null | {
    generatedAt: string;
    runDate: string;
    rows: Record<string, number>;
    durationMs: number;
    outDir: string;
  };
  errors: string[];
}

/** `pinpipe status`: lag per topic, objects in S3 and the last batch; each part fails on its own. */
export async function pipelineStatus(profile: Profile): Promise<PipelineStatus> {
  const names = topicNames(profile);
  const errors: string[] = [];
  const topics = Object.fromEntries(
    TOPIC_KEYS.map((k) => [
      k,
      {
        topic: names[k],
        records: null,
        sinkLag: null,
        sinkBuffered: null,
        objects: null,
        proxyAcknowledged: null,
      },
    ]),
  ) as Record<TopicKey, TopicStatus>;

  const admin = createKafkaAdmin(profile, { retries: 1 });
  try {
    const committed = await groupOffsets(admin, profile.sink.groupId, Object.values(names));
    for (const k of TOPIC_KEYS) {
      const offsets = await topicOffsets(admin, names[k]);
      topics[k].records = offsets.reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
      const group = committed.find((c) => c.topic === names[k]);
      topics[k].sinkLag = offsets.reduce((a, p) => {
        const c = Number(group?.partitions.find((q) => q.partition === p.partition)?.offset ?? -1);
        return a + Number(p.high) - (c >= 0 ? c : Number(p.low));
      }, 0);
    }
  } catch (err) {
    errors.push(`Kafka: ${describeError(err)}`);
  } finally {
    await admin.close().catch(() => {});
  }

  const s3 = createS3(profile, { maxAttempts: 1 });
  try {
    for (const k of TOPIC_KEYS) {
      topics[k].objects = (
        await listKeys(s3, profile.s3.bucket, `${profile.s3.topicsDir}/${names[k]}/`)
      ).length;
    }
  } catch (err) {
    errors.push(`S3: ${describeError(err)}`);
  } finally {
    s3.destroy();
  }

  const sink = readSinkStatus(sinkStatusPath(profile, profile.sink.groupId));
  const acks = readAckLedger(proxyLedgerPath(profile));
  for (const k of TOPIC_KEYS) {
    topics[k].sinkBuffered = sink ? (sink.topics[names[k]]?.buffered ?? 0) : null;
    topics[k].proxyAcknowledged = acks ? (acks.get(names[k])?.acknowledged ?? 0) : null;
  }
  const b = lastBatchSummary(profile);
  const { runs, acknowledged } = ledgerTotals(profile);
  return {
    profile: profile.name,
    topics,
    emulated: { runs, acknowledged },
    proxy: await proxyHealth(profile.proxy.url),
    sink: { running: sink !== undefined, pid: sink?.pid ?? null },
    lastBatch: b
      ? {
          generatedAt: b.generatedAt,
          runDate: b.runDate,
          rows: b.rows,
          durationMs: b.durationMs,
          outDir: b.outDir,
        }
      : null,
    errors,
  };
}

/** Whether a REST proxy answers /health at the profile's proxy URL (1 s timeout). */
async function proxyHealth(url: string): Promise<PipelineStatus['proxy']> {
  try {
    const res = await fetch(`${url.replace(/\/$/, '')}/health`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok
      ? { url, up: true, detail: 'Kafka reachable' }
      : { url, up: true, detail: `answers ${res.status}: Kafka not reachable from the proxy` };
  } catch {
    return { url, up: false, detail: 'not running' };
  }
}

export function formatStatus(s: PipelineStatus): string {
  const n = (v: number | null, none = '?') => (v === null ? none : String(v));
  const numbers: [string, number][] = [
    ['kafka records', 13],
    ['sink lag', 9],
    ['sink buffered', 14],
    ['S3 objects', 11],
    ['emulated', 9],
    ['via proxy', 10],
  ];
  const columns: TableColumn[] = [
    { header: 'topic', minWidth: 28 },
    ...numbers.map(([header, minWidth]) => ({ header, minWidth, align: 'right' as const })),
  ];
  const rows = TOPIC_KEYS.map((k) => {
    const t = s.topics[k];
    const emulated = String(s.emulated.acknowledged[k]);
    return [
      t.topic,
      n(t.records),
      n(t.sinkLag),
      n(t.sinkBuffered, '-'),
      n(t.objects),
      emulated,
      n(t.proxyAcknowledged, '-'),
    ];
  });
  const lines = [`profile ${s.profile}`, ...tableLines(columns, rows, { gap: ' ' })];
  lines.push(
    s.proxy.up
      ? `proxy: up at ${s.proxy.url} (${s.proxy.detail})`
      : `proxy: not running at ${s.proxy.url}: start it with \`pinpipe proxy\` (\`pinpipe run\` starts its own)`,
  );
  lines.push(
    s.sink.running
      ? `sink: running (pid ${s.sink.pid}); "sink lag" counts records not yet stored in S3, "sink buffered" the part it holds in memory`
      : 'sink: not running (`pinpipe sink --drain` stores what is in Kafka; `pinpipe run` runs one)',
  );
  lines.push(
    s.lastBatch
      ? `last batch: ${s.lastBatch.generatedAt} (run date ${s.lastBatch.runDate}, ${(s.lastBatch.durationMs / 1000).toFixed(1)} s) ` +
          `clean rows pin ${s.lastBatch.rows.pin}, geo ${s.lastBatch.rows.geo}, user ${s.lastBatch.rows.user} → ${s.lastBatch.outDir}`
      : 'last batch: none yet (pinpipe batch)',
  );
  for (const e of s.errors) lines.push(`unavailable: ${e}`);
  return lines.join('\n');
}
