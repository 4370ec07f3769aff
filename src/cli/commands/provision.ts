import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { applyProvision, formatPlan, planProvision } from '../../provision/index.ts';

/**
 * `pinpipe provision [--dry-run] [--json]`: bucket, topics and the API Gateway REST API of the profile.
 * --dry-run prints the plan and touches no network.
 */
export function register(program: Command, ctx: CommandContext): void {
  program
    .command('provision')
    .description(
      'Create the bucket, topics and the API Gateway REST API of the profile (only what is missing)',
    )
    .option('--dry-run', 'print the plan without any network access')
    .option('--json', 'print the plan (and the result) as JSON')
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      const { profile } = ctx.profile();
      const plan = planProvision(profile);
      if (opts.dryRun) {
        if (opts.json) ctx.out(JSON.stringify({ dryRun: true, plan }, null, 2));
        else for (const line of [...formatPlan(plan), '(dry run: nothing was created)']) ctx.out(line);
        return;
      }
      if (!opts.json) for (const line of formatPlan(plan)) ctx.out(line);
      const result = await applyProvision(profile, plan, (m) => ctx.logger.info(m));
      if (opts.json) ctx.out(JSON.stringify({ dryRun: false, plan, result }, null, 2));
      else ctx.out(`invoke URL: ${result.invokeUrl}`);
    });
}
