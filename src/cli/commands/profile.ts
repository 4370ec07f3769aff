import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import { profilePath, profileSchema, checkProfile } from '../../config/index.ts';
import { PinpipeError } from '../../errors.ts';
import {
  applyFields,
  checkFields,
  fieldsFromOutputs,
  outputNotes,
  OUTPUT_FIELDS,
  readStackOutputs,
  stackNameFor,
} from '../../stack/index.ts';

interface FromStackOptions {
  stack?: string;
  out?: string;
  check?: boolean;
  json?: boolean;
}

/** The written profile, validated as `loadProfile` would before it is written. */
function validate(text: string, where: string): void {
  const parsed = profileSchema.safeParse(YAML.parse(text));
  const problems = parsed.success
    ? checkProfile(parsed.data).errors
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (problems.length > 0) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `The profile made from the stack's outputs would be invalid (${where}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      { fix: 'check the stack outputs and the base profile (--profile)' },
    );
  }
}

/**
 * `pinpipe profile from-stack`: the profile fields a deployed stack's outputs give (bucket, brokers,
 * REST API, stage, invoke URL, proxy URL, region), written over the base profile (--profile) or
 * checked against it.
 */
export function register(program: Command, ctx: CommandContext): void {
  const profile = program
    .command('profile')
    .description('Profiles made from, or checked against, deployed infrastructure');
  profile
    .command('from-stack')
    .description(
      "Write a profile from a deployed CloudFormation stack's outputs (the base is --profile), or --check that the profile matches them",
    )
    .option(
      '--stack <name>',
      "the stack's name (default: the profile's infra.stackName, else Pinpipe-<pipelineId>)",
    )
    .option('--out <file>', 'write the profile to this file or profile name (default: print it)')
    .option('--check', 'compare the profile with the outputs: exit 0 when equal, 4 when a field differs')
    .option('--json', 'print the fields (and the check) as JSON')
    .addHelpText(
      'after',
      `\nOutputs read: ${OUTPUT_FIELDS.map((r) => `${r.output} → ${r.path.join('.')}`).join(', ')}, ` +
        'RestApiId → apiGateway.invokeUrl. Secrets are never read: the API key stays in Secrets Manager.\n' +
        'Exit codes: 0 ok, 2 bad usage, 3 stack missing or CloudFormation unreachable, 4 --check found a difference.',
    )
    .action(async (opts: FromStackOptions) => {
      if (opts.check && opts.out) {
        throw new PinpipeError(
          'USAGE',
          '--check compares the profile and writes nothing: drop --out or --check.',
        );
      }
      const loaded = ctx.profile();
      const base = loaded.profile;
      const stackName = opts.stack ?? stackNameFor(base);
      const { outputs } = await readStackOutputs(base, stackName, ctx.signal);
      const fields = fieldsFromOutputs(base, outputs);
      if (fields.length === 0) {
        throw new PinpipeError(
          'USAGE',
          `The stack ${stackName} has none of the outputs pinpipe reads (${OUTPUT_FIELDS.map((r) => r.output).join(', ')})`,
          { fix: 'pass --stack with the name of the stack the CDK app in infra/ deployed' },
        );
      }
      const notes = outputNotes(base, outputs);
      const asJson = fields.map((f) => ({ field: f.path.join('.'), value: f.value, from: f.from }));

      if (opts.check) {
        const checks = checkFields(base, fields);
        const stale = checks.filter((c) => !c.ok);
        if (opts.json)
          ctx.out(JSON.stringify({ stack: stackName, profile: loaded.file, checks, notes }, null, 2));
        else {
          for (const c of checks) {
            ctx.out(
              c.ok
                ? `ok    ${c.path} = ${JSON.stringify(c.expected)}`
                : `DIFF  ${c.path}: the profile has ${JSON.stringify(c.actual ?? null)}, the stack (${c.from}) ${JSON.stringify(c.expected)}`,
            );
          }
          for (const n of notes) ctx.logger.info(n);
        }
        if (stale.length > 0) {
          throw new PinpipeError(
            'PROFILE_STALE',
            `${stale.length} field(s) of ${path.relative(process.cwd(), loaded.file) || loaded.file} differ from the outputs of stack ${stackName}: ${stale.map((c) => c.path).join(', ')}`,
            { fix: `run pinpipe profile from-stack --stack ${stackName} --out <file> to write them` },
          );
        }
        return;
      }

      const target = opts.out ? profilePath(opts.out, loaded.env.projectRoot) : undefined;
      const name = target ? path.basename(target).replace(/\.ya?ml$/, '') : undefined;
      const text = applyFields(fs.readFileSync(loaded.file, 'utf8'), fields, name);
      validate(text, target ?? 'stdout');
      if (!target) {
        if (opts.json) ctx.out(JSON.stringify({ stack: stackName, fields: asJson, notes }, null, 2));
        else ctx.out(text);
        for (const n of notes) ctx.logger.info(n);
        return;
      }
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, target);
      if (opts.json)
        ctx.out(JSON.stringify({ stack: stackName, written: target, fields: asJson, notes }, null, 2));
      else {
        ctx.out(`wrote ${target}: ${fields.map((f) => f.path.join('.')).join(', ')} from stack ${stackName}`);
        for (const n of notes) ctx.out(`next: ${n}`);
        ctx.out(`then: pinpipe doctor --profile ${target}`);
      }
    });
}
