import type { Command } from 'commander';
import { type CommandContext, parseTimerMs } from '../context.ts';
import { PinpipeError } from '../../errors.ts';
import { formatResult, formatSummary, profileSecrets, runDoctor, iamPolicy } from '../../doctor/index.ts';

export function register(program: Command, ctx: CommandContext): void {
  program
    .command('doctor')
    .description(
      'Check credentials, bucket, Kafka (bootstrap + auth), topics, invoke URL and MySQL for a profile',
    )
    .option('--json', 'print the verdicts as one JSON object on stdout')
    .option('--timeout <ms>', 'deadline per check in milliseconds', parseTimerMs('--timeout', 100), 5000)
    .option('--print-policy', 'print the least-privilege IAM policy for the profile instead of checking')
    .option('--account <id>', 'with --print-policy: your AWS account id (default ACCOUNT_ID)')
    .option('--cluster <name>', 'with --print-policy: your MSK cluster name (default CLUSTER_NAME)')
    .addHelpText(
      'after',
      '\nExit code 0 only when every check passes (a "warn" does not fail). Examples:\n' +
        '  pinpipe doctor                       # the local sandbox\n' +
        '  pinpipe doctor --profile aws --json  # your AWS account, machine-readable\n' +
        '  pinpipe doctor --profile aws --print-policy --account 123456789012 --cluster pinpipe\n',
    )
    .action(
      async (opts: {
        json?: boolean;
        timeout: number;
        printPolicy?: boolean;
        account?: string;
        cluster?: string;
      }) => {
        const { profile } = ctx.profile();
        if (opts.printPolicy) {
          ctx.out(
            JSON.stringify(
              iamPolicy(profile, { accountId: opts.account, clusterName: opts.cluster }),
              null,
              2,
            ),
          );
          return;
        }
        if (!opts.json)
          ctx.out(`pinpipe doctor: profile ${profile.name} (Kafka security ${profile.kafka.security.mode})`);
        const report = await runDoctor(profile, {
          timeoutMs: opts.timeout,
          signal: ctx.signal,
          secrets: profileSecrets(profile),
          onResult: opts.json ? undefined : (r) => formatResult(r).forEach((l) => ctx.out(l)),
        });
        if (opts.json) ctx.out(JSON.stringify(report, null, 2));
        else ctx.out(formatSummary(report));
        if (!report.ok) {
          const first =
            report.checks.find((c) => c.status === 'fail') ?? report.checks.find((c) => c.status !== 'pass');
          throw new PinpipeError(
            'DOCTOR_FAILED',
            `doctor: ${first?.name ?? 'a check'} failed: ${first?.detail ?? ''}${first?.fix ? `. Fix: ${first.fix}` : ''}`,
            { details: { failed: report.checks.filter((c) => c.status === 'fail').map((c) => c.name) } },
          );
        }
      },
    );
}
