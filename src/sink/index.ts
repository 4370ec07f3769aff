export { runSink } from './sink.ts';
export type { RunSinkOptions, SinkSummary, PartitionSummary } from './types.ts';
export {
  objectKey,
  errorKey,
  parseObjectKey,
  padOffset,
  topicsRoot,
  errorsRoot,
  partitionPrefix,
  OFFSET_DIGITS,
  type SinkLayout,
  type ParsedObjectKey,
} from './keys.ts';
export { encodeValue } from './encode.ts';
export {
  recordsOfObject,
  dedupeByOffset,
  readStoredRecords,
  listKeys,
  getText,
  type StoredRecord,
} from './read-back.ts';
export { SINK_DEFAULTS } from './options.ts';
export { compareWithLog, type LogRecord, type LogComparison } from './compare.ts';
export { readSinkStatus, sinkStatusPath } from './status-file.ts';
