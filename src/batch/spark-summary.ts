import { z } from 'zod';
import { TOPIC_KINDS } from '../config/index.ts';

/**
 * summary.json as the Spark job (spark/pinpipe_batch_spark.py) writes it: the DuckDB batch's
 * summary without what only an incremental engine has (mode, objects loaded and dropped, CPU times).
 */
const perTopic = z.record(z.enum(TOPIC_KINDS), z.number());
const counts = z.record(z.string(), z.number());

export const sparkSummarySchema = z.object({
  runDate: z.string(),
  generatedAt: z.string(),
  nothingToProcess: z.boolean(),
  source: z.union([
    z.object({ kind: z.literal('s3'), bucket: z.string(), prefix: z.string() }),
    z.object({ kind: z.literal('dir'), path: z.string() }),
  ]),
  objects: z.object({
    total: z.number(),
    fetched: z.number(),
    cached: z.number(),
    ignored: z.number(),
    perTopic,
  }),
  lines: perTopic,
  rows: perTopic,
  duplicates: z.object({ offsets: perTopic, posts: perTopic, total: z.number() }),
  quarantined: z.object({
    perTopic,
    total: z.number(),
    byReason: counts,
    samples: z.array(
      z.object({
        topic: z.enum(TOPIC_KINDS),
        key: z.string(),
        line: z.number(),
        offset: z.number(),
        reason: z.string(),
        text: z.string().nullable(),
      }),
    ),
  }),
  results: counts,
  outDir: z.string(),
  duckdbPath: z.string(),
  engine: z.literal('spark'),
  parquet: z.object({ dir: z.string(), uploaded: z.array(z.string()) }),
  timingsMs: counts,
  durationMs: z.number(),
});

/**
 * summary.json as the readers of the results folder (verify, status, the console) take it from
 * either engine: the Spark summary's fields, with what only the DuckDB engine writes (mode, objects
 * loaded and dropped, CPU times) kept when present.
 */
export const batchSummarySchema = sparkSummarySchema
  .extend({ engine: z.enum(['duckdb', 'spark']).optional() })
  .passthrough();
