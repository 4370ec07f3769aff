// npm run bench:seed [-- --rows 1000000 --method infile|insert|auto --sequential --no-workers --checksum]
// Loads --rows rows per table (default 1,000,000: 3M rows in all) into a UNIQUE database of the
// running sandbox's MySQL, prints the rows/s, and drops the database. The shared database is untouched.
import { parseArgs } from 'node:util';
import { loadProfile } from '../src/config/index.ts';
import { connectMysql, quoteId } from '../src/clients/mysql.ts';
import { checksumTables, connectForSeed, seedDatabase } from '../src/seed/index.ts';
import { uniqueSchema } from '../testkit/names.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    method: { type: 'string', default: 'auto' },
    sequential: { type: 'boolean', default: false },
    'no-workers': { type: 'boolean', default: false },
    checksum: { type: 'boolean', default: false },
  },
});
const rows = Number(values.rows);
const method = values.method as 'auto' | 'infile' | 'insert';
const profile = structuredClone(loadProfile('local').profile);
profile.mysql.database = uniqueSchema('bench_seed');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
try {
  let last = 0;
  let done = 0;
  const started = performance.now();
  const r = await seedDatabase(profile, {
    rows,
    seed: Number(values.seed),
    method,
    force: true,
    parallel: !values.sequential,
    workers: !values['no-workers'],
    onRows: (n) => {
      done += n;
      const now = performance.now();
      if (now - last > 5000) {
        last = now;
        process.stderr.write(
          `  ${fmt(done)} rows generated after ${((now - started) / 1000).toFixed(1)} s\n`,
        );
      }
    },
  });
  const total = rows * 3;
  console.log(
    `seed bench: ${fmt(rows)} rows per table (${fmt(total)} rows) via ${r.method}` +
      `${values.sequential ? ' (sequential)' : ' (3 tables in parallel)'}` +
      `${values['no-workers'] ? ', generated in the main thread' : ', generated in worker threads'} in ${r.seconds.toFixed(1)} s: ` +
      `${fmt(total / r.seconds)} rows/s (${fmt(rows / r.seconds)} posts/s)`,
  );
  if (values.checksum) {
    const conn = await connectForSeed(profile);
    const t0 = performance.now();
    const c = await checksumTables(conn);
    await conn.end();
    const s = (performance.now() - t0) / 1000;
    console.log(
      `checksum ${c.checksum.slice(0, 16)}… of ${fmt(total)} rows in ${s.toFixed(1)} s (${fmt(total / s)} rows/s)`,
    );
  }
} finally {
  const admin = await connectMysql(profile, { database: undefined });
  await admin.query(`DROP DATABASE IF EXISTS ${quoteId(profile.mysql.database)}`);
  await admin.end();
}
