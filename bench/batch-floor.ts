/**
 * The floor of bench:batch: DuckDB doing nothing but read the sink objects of a folder into three
 * tables of a new database file (`read_json`, newline-delimited, types detected), in a new process
 * like the batch. Prints {"readS": …} (the reading alone) on stdout.
 *
 *   tsx bench/batch-floor.ts <source dir> <database file> [memory limit]
 */
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [source, file, memoryLimit] = process.argv.slice(2);
if (!source || !file) {
  console.error('usage: tsx bench/batch-floor.ts <source dir> <database file> [memory limit]');
  process.exit(2);
}
fs.rmSync(file, { force: true });
fs.rmSync(`${file}.wal`, { force: true });
const instance = await DuckDBInstance.create(file);
const conn = await instance.connect();
if (memoryLimit) await conn.run(`SET memory_limit = '${memoryLimit}'`);
const t0 = performance.now();
for (const kind of ['pin', 'geo', 'user']) {
  const glob = `${source}/topics/*.${kind}/*/*.json`.replace(/'/g, "''");
  await conn.run(`CREATE TABLE ${kind} AS SELECT * FROM read_json('${glob}', format = 'newline_delimited')`);
}
const readS = (performance.now() - t0) / 1000;
conn.closeSync();
instance.closeSync();
fs.rmSync(file, { force: true });
console.log(JSON.stringify({ readS }));
