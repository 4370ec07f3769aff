export { runEmulator } from './emulator.ts';
export { resolveTarget, type TargetKind } from './target.ts';
export { formatSummary, failureHint } from './format.ts';
export { parseDuration, DEFAULT_BATCH, DEFAULT_CONCURRENCY, DEFAULT_FAST_COUNT } from './options.ts';
export { SOURCE_TABLES, toRecordValue, produceBody, indOf } from './records.ts';
export type { EmulatorOptions, EmulatorSummary, EmulatorProgress, TopicSummary, TopicKey } from './types.ts';
export { TOPIC_KEYS } from './types.ts';
