import type { RowDataPacket } from 'mysql2/promise';
import { createMysqlPool, type MysqlPool } from '../clients/index.ts';
import type { Profile } from '../config/index.ts';
import { SOURCE_TABLES, TOPIC_KEYS, type TopicKey } from '../emulator/index.ts';
import { PROBE_MS, withTimeout } from './probe.ts';

/** The source tables' row counts, on one small pool. */
export class MysqlSource {
  private readonly pool: MysqlPool;

  constructor(profile: Profile) {
    this.pool = createMysqlPool(profile, { connectionLimit: 2, connectTimeout: 1500 });
  }

  /** `SELECT COUNT(*)` of each topic's source table. */
  async sourceRows(): Promise<Record<TopicKey, number>> {
    const out = {} as Record<TopicKey, number>;
    for (const k of TOPIC_KEYS) {
      const [rows] = await withTimeout(
        this.pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM ??', [SOURCE_TABLES[k].table]),
        PROBE_MS,
        'MySQL',
      );
      out[k] = Number(rows[0]?.n ?? 0);
    }
    return out;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}
