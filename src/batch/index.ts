export { runBatch, executeBatch, type BatchRun } from './run-batch.ts';
export { RESULT_NAMES, CLEAN_TABLES, type ResultName, type Row } from './analytics.ts';
export { formatSummary } from './print.ts';
export { placeholderValues, saveLocationPrefix } from './models.ts';
export { parseSinkKey, sinkKey, outputKey } from './object-keys.ts';
export type {
  BatchOptions,
  BatchProgress,
  BatchSummary,
  QuarantineEntry,
  TopicKind,
  PerTopic,
  SinkObject,
} from './types.ts';
export { openDatabase, sqlString } from './duckdb.ts';
export { batchSummarySchema } from './spark-summary.ts';
export {
  BATCH_ENGINES,
  checkJava,
  ensureSpark,
  executeSparkBatch,
  sparkArgs,
  sparkDir,
  type BatchEngine,
} from './spark.ts';
