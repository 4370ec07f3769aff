import type { BatchSummary } from '../batch/index.ts';
import type { Profile } from '../config/index.ts';
import { describeError } from '../errors.ts';
import { latestResultsDir, readResults, renderReportHtml, resultsRoot } from '../report/index.ts';
import { lastBatchSummary } from '../verify/index.ts';
import { HttpProblem } from './http-rules.ts';
import { startCommand } from './stages.ts';
import { startProfile } from './probe.ts';

/** The quarantine of the last batch: its totals and its first entries, with each line's text. */
export interface QuarantineView {
  runDate: string;
  total: number;
  byReason: Record<string, number>;
  perTopic: Record<string, number>;
  entries: Array<{
    topic: string;
    key: string;
    line: number;
    offset: number;
    reason: string;
    text: string | null;
  }>;
  /** Where every entry is (the samples are the first ones). */
  duckdbPath: string;
}

/** The last batch's summary; undefined before any batch or when it cannot be read. */
export function lastBatch(profile: Profile): BatchSummary | undefined {
  try {
    return lastBatchSummary(profile);
  } catch {
    return undefined;
  }
}

/** The last batch's quarantine (its first entries with each line's text); 404 before any batch. */
export function quarantine(profile: Profile): QuarantineView {
  let summary;
  try {
    summary = lastBatchSummary(profile);
  } catch (err) {
    throw new HttpProblem(404, 'NO_RESULTS', describeError(err));
  }
  if (!summary) {
    throw new HttpProblem(
      404,
      'NO_RESULTS',
      `No batch has run yet for profile ${profile.name}: run ${startCommand('batch', startProfile(profile))}.`,
    );
  }
  const q = summary.quarantined;
  return {
    runDate: summary.runDate,
    total: q.total,
    byReason: q.byReason,
    perTopic: q.perTopic as Record<string, number>,
    entries: q.samples.map((e) => ({
      topic: e.topic,
      key: e.key,
      line: e.line,
      offset: e.offset,
      reason: e.reason,
      text: e.text,
    })),
    duckdbPath: summary.duckdbPath,
  };
}

/** The last batch's results as the report's HTML page (tables and charts); 404 before any batch. */
export async function resultsHtml(profile: Profile): Promise<string> {
  try {
    const dir = await latestResultsDir(resultsRoot(profile));
    const { results, summary } = await readResults(dir);
    return renderReportHtml(results, {
      source: dir,
      profile: profile.name,
      summary,
      runDate: (summary as { runDate?: string } | undefined)?.runDate,
    });
  } catch (err) {
    throw new HttpProblem(404, 'NO_RESULTS', describeError(err));
  }
}
