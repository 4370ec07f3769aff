import type { S3Client } from '@aws-sdk/client-s3';
import type { Profile, TopicKind } from '../config/index.ts';
import type { Logger } from '../log.ts';

export { TOPIC_KINDS, type TopicKind } from '../config/index.ts';
export type PerTopic<T> = Record<TopicKind, T>;

export function perTopic<T>(make: (kind: TopicKind) => T): PerTopic<T> {
  return { pin: make('pin'), geo: make('geo'), user: make('user') };
}

export interface BatchOptions {
  profile: Profile;
  /** A local folder laid out like the bucket (offline replay): no S3 at all. */
  source?: string;
  /** Where `<result_name>.json` and summary.json go (default: <workDir>/results). */
  out?: string;
  /** YYYY-MM-DD, used in the S3 keys of the Parquet outputs (default: today, UTC). */
  runDate?: string;
  signal?: AbortSignal;
  logger?: Logger;
  /** Write the Parquet files back to S3 (default true; never with `source`). */
  upload?: boolean;
  /** Rebuild the tables from every object instead of loading only the new and changed ones. */
  full?: boolean;
  /** Called as the run moves on (the CLI draws progress bars from it). */
  onProgress?: (p: BatchProgress) => void;
  /** An S3 client to use instead of createS3(profile) (tests). */
  s3?: S3Client;
}

/** fetch and load count objects; the other steps report once when they start (done = total = 0). */
export interface BatchProgress {
  step: 'fetch' | 'load' | 'clean' | 'analytics' | 'parquet';
  done: number;
  total: number;
}

/** One sink object (docs/spec.md#object-keys): `topics/<topic>/partition=<p>/<topic>+<p>+<startOffset>.json`. */
export interface SinkObject {
  key: string;
  kind: TopicKind;
  topic: string;
  partition: number;
  startOffset: number;
  size?: number;
  etag?: string;
  /** What changes when the object is rewritten: its ETag (S3) or modification time (folder). */
  version?: string;
  /** The local file holding the object's bytes (cache or source folder). */
  file?: string;
}

export interface QuarantineEntry {
  topic: TopicKind;
  key: string;
  /** 0-based line number in the object. */
  line: number;
  offset: number;
  reason: string;
  /** The line's text, cut at 200 characters. */
  text: string | null;
}

export interface BatchSummary {
  runDate: string;
  generatedAt: string;
  /** True when the source held no sink object at all (the job did nothing, successfully). */
  nothingToProcess: boolean;
  /**
   * incremental: only the new and changed objects were loaded into the tables of the previous run;
   * full: the tables were built from every object (see rebuildReason).
   */
  mode: 'full' | 'incremental';
  /** Why a run rebuilt the tables (first run, --full, other rules, unreadable file). */
  rebuildReason?: string;
  source: { kind: 's3'; bucket: string; prefix: string } | { kind: 'dir'; path: string };
  objects: {
    total: number;
    fetched: number;
    cached: number;
    ignored: number;
    /** Objects read into the tables by this run (all of them in a full run). */
    loaded: number;
    /** Objects loaded by an earlier run that are no longer listed (their lines were removed). */
    dropped: number;
    perTopic: PerTopic<number>;
  };
  /** Lines read per topic (every line of every object, duplicates and bad lines included). */
  lines: PerTopic<number>;
  /** Rows per clean table (pin_clean, geo_clean, user_clean). */
  rows: PerTopic<number>;
  duplicates: {
    /** The same (partition, offset) seen again in an overlapping object. */
    offsets: PerTopic<number>;
    /** The same ind sent again (another offset); the clean tables keep one row per ind. */
    posts: PerTopic<number>;
    total: number;
  };
  quarantined: {
    perTopic: PerTopic<number>;
    total: number;
    byReason: Record<string, number>;
    /** The first entries (all of them are in the DuckDB table `quarantine`). */
    samples: QuarantineEntry[];
  };
  /** Rows per analytics result. */
  results: Record<string, number>;
  outDir: string;
  /** The DuckDB file of the run; empty with the Spark engine (it keeps no database). */
  duckdbPath: string;
  /** Which engine ran the job (absent: DuckDB). */
  engine?: 'duckdb' | 'spark';
  /** Local Parquet files, and their S3 keys when uploaded. */
  parquet: { dir: string; uploaded: string[] };
  timingsMs: Record<string, number>;
  /** CPU time of each step (all threads): steady when other work shares the machine. */
  cpuMs: Record<string, number>;
  durationMs: number;
}
