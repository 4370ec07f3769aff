import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import {
  latestResultsDir,
  readResults,
  renderResults,
  resultsRoot,
  writeReport,
} from '../../report/index.ts';

interface ReportFlags {
  results?: string;
  out?: string;
  upload: boolean;
  openPath?: boolean;
  runDate?: string;
  tables?: boolean;
}

/**
 * `pinpipe report`: analytics results → report.html (next to the results) → S3.
 * stdout: the report's path (or file:// URL with --open-path), then its s3:// URI when uploaded.
 */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('report')
    .description(
      'Write the HTML report of the analytics (tables and charts) next to the results and upload it to S3',
    )
    .option(
      '--results <dir>',
      'results folder (<result_name>.json files); default: the latest under <batch.workDir>/results',
    )
    .option('--out <file>', 'where to write the report (default: <results>/report.html)')
    .option('--no-upload', 'do not upload to s3://<bucket>/reports/<runDate>/report.html')
    .option('--open-path', 'print a file:// URL to open in a browser instead of the plain path')
    .option('--run-date <YYYY-MM-DD>', "the run date in the title and S3 key (default: the batch's run date)")
    .option('--tables', 'also print every result as a plain-text table')
    .addHelpText(
      'after',
      '\nWithout --results, the report reads the latest results under <batch.workDir>/results (local\n' +
        'profile: .sandbox/batch/results, or its newest sub-folder, e.g. one per --out <dir>/<date> run)\n' +
        'and logs which one it chose.\n' +
        'The report is one self-contained HTML file: no scripts, fonts or network requests.\n',
    )
    .action(async (flags: ReportFlags) => {
      const { profile } = ctx.profile();
      const root = resultsRoot(profile);
      const resultsDir = flags.results ? path.resolve(flags.results) : await latestResultsDir(root);
      if (!flags.results)
        ctx.logger.info(`report: reading the latest results, ${resultsDir} (pass --results <dir> to choose)`);
      if (flags.tables) ctx.out(`${renderResults((await readResults(resultsDir)).results)}\n`);
      const started = Date.now();
      const report = await writeReport({
        resultsDir,
        outFile: flags.out ? path.resolve(flags.out) : undefined,
        s3: flags.upload ? { profile } : undefined,
        runDate: flags.runDate,
      });
      ctx.logger.info(
        `report: ${report.results} results, ${Math.round(report.bytes / 1024)} KiB` +
          `${report.s3Key ? `, uploaded to s3://${report.bucket}/${report.s3Key}` : ''} in ${Date.now() - started} ms`,
      );
      ctx.out(flags.openPath ? pathToFileURL(report.file).href : report.file);
      if (report.s3Key) ctx.out(`s3://${report.bucket}/${report.s3Key}`);
    });
}
