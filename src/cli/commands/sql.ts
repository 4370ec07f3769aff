import path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { batchDatabasePath, queryBatchDatabase, TABLES_QUERY } from '../../batch/query.ts';
import { renderTable } from '../../report/console-table.ts';

/** `pinpipe sql`: one read-only query over the batch's DuckDB file, printed as a table or JSON. */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('sql')
    .argument('[query]', 'one SQL statement (DuckDB dialect); without it, the tables and their row counts')
    .description(
      "Query the batch's DuckDB file (clean tables, results, quarantine) read-only; no DuckDB CLI needed",
    )
    .option('--db <file>', 'the DuckDB file (default: <batch.workDir>/pinpipe.duckdb)')
    .option('--json', 'print the rows as a JSON array')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  pinpipe sql                                         # tables and row counts\n' +
        '  pinpipe sql "select * from pin_clean limit 3"\n' +
        '  pinpipe sql --json "select * from median_followers_by_age_group"\n' +
        '\nThe file is opened read-only: statements that write fail (exit 1). Files (COPY … TO, read_text),\n' +
        'other databases (ATTACH) and settings (SET) are out of reach: refused with BATCH_SQL_REFUSED (exit 1).\n' +
        'Exit 1 also when no batch has run yet (run `pinpipe batch` first) or the query is not valid SQL.\n',
    )
    .action(async (query: string | undefined, flags: { db?: string; json?: boolean }) => {
      const file = flags.db ? path.resolve(flags.db) : batchDatabasePath(ctx.profile().profile);
      const r = await queryBatchDatabase(file, query ?? TABLES_QUERY);
      ctx.out(flags.json ? JSON.stringify(r.rows, null, 2) : renderTable(r.rows, r.columns));
    });
}
