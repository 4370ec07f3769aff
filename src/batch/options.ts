import { z } from 'zod';
import { parseStageOptions } from '../config/index.ts';
import { isRunDate, todayUtc } from './object-keys.ts';

/** The Spark masters the batch accepts: local[*], local[N], spark://host:port, yarn, k8s://... */
const SPARK_MASTER = /^(local(\[[0-9*]+(,[0-9]+)?\])?|spark:\/\/.+|yarn|k8s:\/\/.+)$/;
export const DEFAULT_SPARK_MASTER = 'local[*]';

const runDateMessage = (got: unknown) =>
  `--run-date must be a date such as 2026-11-25 (got "${String(got)}").`;

/** The batch's options once the defaults are applied (the run date defaults to today, UTC). */
export const batchOptionsSchema = z.object({
  runDate: z
    .string({ error: (iss) => runDateMessage(iss.input) })
    .refine(isRunDate, { error: (iss) => runDateMessage(iss.input) }),
});

export const sparkBatchOptionsSchema = batchOptionsSchema.extend({
  master: z.string().regex(SPARK_MASTER, {
    error: (iss) =>
      `--spark-master ${String(iss.input)} is not a Spark master: use local[*], local[N], spark://host:7077, yarn or k8s://...`,
  }),
});

export type ResolvedBatchOptions = z.output<typeof batchOptionsSchema>;
export type ResolvedSparkBatchOptions = z.output<typeof sparkBatchOptionsSchema>;

/** Applies the defaults to the batch's options and validates them (USAGE on a bad value). */
export function resolveBatchOptions(opts: { runDate?: string }): ResolvedBatchOptions {
  return parseStageOptions(batchOptionsSchema, { runDate: opts.runDate ?? todayUtc() });
}

/** As resolveBatchOptions, with the Spark master (default local[*]). */
export function resolveSparkBatchOptions(opts: {
  runDate?: string;
  master?: string;
}): ResolvedSparkBatchOptions {
  return parseStageOptions(sparkBatchOptionsSchema, {
    runDate: opts.runDate ?? todayUtc(),
    master: opts.master ?? DEFAULT_SPARK_MASTER,
  });
}
