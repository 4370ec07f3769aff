import { TOPIC_KINDS, type Profile, type TopicKind } from '../config/index.ts';

/** The three topics of a post (the config's TOPIC_KINDS), by the name the emulator's modules use. */
export const TOPIC_KEYS = TOPIC_KINDS;
export type TopicKey = TopicKind;

/** A source row as mysql2 returns it (dateStrings: true, so datetimes are already strings). */
export type SourceRow = Record<string, unknown>;
/** A record value as posted: the row as a JSON object. */
export type RecordValue = Record<string, string | number | boolean | null>;

export interface EmulatorProgress {
  postsSent: number;
  recordsAcknowledged: number;
  recordsFailed: number;
  elapsedMs: number;
  /** Per topic, so far: records acknowledged, failed, and acknowledged only after a retry. */
  topics: Record<TopicKey, { acknowledged: number; failed: number; resent: number }>;
}

export interface RetryOptions {
  /** Retries after the first attempt (network errors and 5xx only). */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

export interface EmulatorOptions {
  profile: Profile;
  /** The proxy's API key (X-API-Key); default: the variable the profile names in proxy.apiKeyEnv. */
  apiKey?: string;
  /** Base URL; records go to `<url>/topics/<topic>`. Default: the profile's invoke URL. */
  url?: string;
  /** Posts to send (each post = one record per topic). */
  count?: number;
  durationMs?: number;
  /** Cap on posts per second. */
  rate?: number;
  /** HTTP requests in flight. */
  concurrency?: number;
  /** Records per request. */
  batch?: number;
  /** PRNG seed for the row choice; random (and reported) when absent. */
  seed?: number;
  /** One record per request, one request at a time, 0–2 s sleep after each post (the original). */
  faithful?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: EmulatorProgress) => void;
  retry?: Partial<RetryOptions>;
  /** Stop after this many requests in a row failed (after retries). */
  maxConsecutiveFailures?: number;
}

export interface TopicSummary {
  topic: string;
  /** Records posted (each counted once, whatever the retries). */
  sent: number;
  acknowledged: number;
  failed: number;
  /** Drawn inds with no row in this table (not sent). */
  missing: number;
  /** The `ind` (pin: `index`) of every acknowledged record, in acknowledgement order, repeats kept. */
  inds: number[];
  distinctInds: number;
  /** Records acknowledged only after a retry (an earlier attempt may have reached Kafka too). */
  resent?: number;
}

export interface FailureSample {
  topic: string;
  status: number | null;
  errorCode: number | null;
  message: string;
  records: number;
}

export interface EmulatorSummary {
  target: string;
  mode: 'fast' | 'faithful';
  seed: number;
  batch: number;
  concurrency: number;
  rate: number | null;
  /** N: inds are drawn uniformly from [1, N]. */
  sourceRows: number;
  posts: number;
  /** `throttled`: "come back later" answers (429, Kafka unavailable), each waited out and retried (docs/emulator.md). */
  requests: { sent: number; retried: number; failed: number; throttled: number };
  records: { sent: number; acknowledged: number; failed: number; missing: number };
  topics: Record<TopicKey, TopicSummary>;
  elapsedMs: number;
  recordsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  failures: FailureSample[];
  /** Why the run stopped: count reached, duration elapsed, interrupted, or too many failures. */
  stopReason: 'count' | 'duration' | 'interrupted' | 'failures';
}
