export { runEmulator } from './emulator.ts';
export { resolveTarget, type TargetKind } from './target.ts';
export { formatSummary, failureHint } from './format.ts';
export {
  parseDuration,
  DEFAULT_BATCH,
  DEFAULT_CONCURRENCY,
  DEFAULT_FAST_COUNT,
  FAITHFUL_MAX_SLEEP_MS,
} from './options.ts';
export { SOURCE_TABLES, toRecordValue, produceBody, indOf, CONTENT_TYPE } from './records.ts';
export {
  type EmulatorOptions,
  type EmulatorSummary,
  type EmulatorProgress,
  type TopicSummary,
  type TopicKey,
  TOPIC_KEYS,
} from './types.ts';
export { deriveSeed, drawInds, mulberry32, randInt, type Rng } from './prng.ts';
export { interpretResponse } from './response.ts';
export { createSender } from './sender.ts';
export { fetchRows, sourceSize } from './source.ts';
