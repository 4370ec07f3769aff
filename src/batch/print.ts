import type { BatchSummary } from './types.ts';

const n = (x: number) => x.toLocaleString('en-US');
const ms = (x: number | undefined) =>
  x === undefined ? '–' : x < 1000 ? `${x} ms` : `${(x / 1000).toFixed(1)} s`;

/** The end-of-run summary, a few lines for people (the same facts are in summary.json). */
export function formatSummary(s: BatchSummary): string {
  const where = s.source.kind === 'dir' ? s.source.path : `s3://${s.source.bucket}/${s.source.prefix}`;
  if (s.nothingToProcess) {
    return `batch ${s.runDate}: nothing to process (no sink objects under ${where}). Run the sink first.`;
  }
  const per = (o: Record<string, number>) =>
    `pin ${n(o.pin ?? 0)} · geo ${n(o.geo ?? 0)} · user ${n(o.user ?? 0)}`;
  const lines = [
    `batch ${s.runDate} from ${where}`,
    `  objects      ${n(s.objects.total)} (${s.source.kind === 's3' ? `${n(s.objects.fetched)} fetched, ${n(s.objects.cached)} cached` : 'local'}${s.objects.ignored ? `, ${n(s.objects.ignored)} ignored` : ''})`,
    s.mode === 'incremental'
      ? `  tables       incremental: ${n(s.objects.loaded)} new or changed object(s) loaded${s.objects.dropped ? `, ${n(s.objects.dropped)} gone` : ''}`
      : `  tables       rebuilt from every object (${s.rebuildReason ?? 'full run'})`,
    `  lines read   ${per(s.lines)}`,
    `  clean rows   ${per(s.rows)}`,
    `  duplicates   ${n(s.duplicates.total)} dropped (same offset: ${n(s.duplicates.offsets.pin + s.duplicates.offsets.geo + s.duplicates.offsets.user)}, same post: ${n(s.duplicates.posts.pin + s.duplicates.posts.geo + s.duplicates.posts.user)})`,
    `  quarantined  ${n(s.quarantined.total)} line(s)${s.quarantined.total ? ` (${per(s.quarantined.perTopic)})` : ''}`,
  ];
  for (const [reason, count] of Object.entries(s.quarantined.byReason).slice(0, 5)) {
    lines.push(`               ${n(count)} × ${reason}`);
  }
  lines.push(
    `  results      ${Object.keys(s.results).length} in ${s.outDir}`,
    `  duckdb       ${s.duckdbPath || '(none: Spark engine)'}`,
    `  parquet      ${s.parquet.uploaded.length ? `${s.parquet.uploaded.length} object(s) in s3://${s.source.kind === 's3' ? s.source.bucket : ''}` : s.parquet.dir}`,
    `  time         ${Object.entries(s.timingsMs)
      .map(([k, v]) => `${k} ${ms(v)}`)
      .join(' · ')} · total ${ms(s.durationMs)}`,
  );
  return lines.join('\n');
}
