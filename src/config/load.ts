import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { PinpipeError } from '../errors.ts';
import { readEnv, type PinpipeEnv } from './env.ts';
import { profileSchema, type Profile } from './schema.ts';
import { checkProfile } from './rules.ts';

export interface LoadedProfile {
  profile: Profile;
  /** The YAML file the profile came from. */
  file: string;
  env: PinpipeEnv;
  warnings: string[];
}

/** Where a profile name points: a path (contains / or ends in .yaml) or profiles/<name>.yaml. */
export function profilePath(nameOrPath: string, root: string): string {
  if (nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)) return path.resolve(nameOrPath);
  return path.join(root, 'profiles', `${nameOrPath}.yaml`);
}

export function listProfiles(root: string): string[] {
  const dir = path.join(root, 'profiles');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

/**
 * Loads, overrides, validates and normalises a profile: read (I/O) → parse → env overrides →
 * schema → rules. Relative folders in the profile are made absolute against the project root.
 */
export function loadProfile(name?: string, env: PinpipeEnv = readEnv()): LoadedProfile {
  const chosen = name ?? env.profile ?? 'local';
  const file = profilePath(chosen, env.projectRoot);
  if (!fs.existsSync(file)) {
    const known = listProfiles(env.projectRoot);
    throw new PinpipeError(
      'PROFILE_NOT_FOUND',
      `Profile "${chosen}" not found (looked for ${file}). Known profiles: ${known.join(', ') || 'none'}. ` +
        `Pass --profile <name> or set PINPIPE_PROFILE.`,
    );
  }
  let raw: unknown;
  try {
    raw = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}. Fix the file and retry.`,
      { cause: err },
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PinpipeError('CONFIG_INVALID', `Profile ${file} must be a YAML mapping of fields.`);
  }
  // A variable the profile names as a secret's source (e.g. PINPIPE_MYSQL_PASSWORD) is not a field override.
  const secretVars = secretVariables(raw as Record<string, unknown>);
  const withEnv = applyOverrides(
    raw as Record<string, unknown>,
    env.overrides.filter((o) => !secretVars.has(o.variable)),
  );
  const parsed = profileSchema.safeParse(withEnv);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('\n');
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile ${file} is invalid:\n${issues}\nFix these fields and retry.`,
    );
  }
  const profile = normalise(parsed.data, env.projectRoot);
  const { errors, warnings } = checkProfile(profile);
  if (errors.length > 0) {
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile ${file} is invalid:\n${errors.map((e) => `  - ${e}`).join('\n')}`,
    );
  }
  return { profile, file, env, warnings };
}

/** The variable names a raw profile gives for secrets (passwordEnv, apiKeyEnv, tokenEnv). */
function secretVariables(raw: Record<string, unknown>): Set<string> {
  const at = (o: unknown, k: string) =>
    o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
  const kafkaSec = at(at(raw, 'kafka'), 'security');
  const names = [
    at(at(raw, 'mysql'), 'passwordEnv'),
    at(at(raw, 'proxy'), 'apiKeyEnv'),
    at(kafkaSec, 'tokenEnv'),
    at(kafkaSec, 'passwordEnv'),
  ];
  return new Set(names.filter((n): n is string => typeof n === 'string'));
}

function normalise(p: Profile, root: string): Profile {
  return {
    ...p,
    sandbox: { ...p.sandbox, dir: path.resolve(root, p.sandbox.dir) },
    batch: { ...p.batch, workDir: path.resolve(root, p.batch.workDir) },
  };
}

/** PINPIPE_MYSQL__PORT=3308 → mysql.port = 3308. Segments match keys ignoring case and underscores. */
export function applyOverrides(
  raw: Record<string, unknown>,
  overrides: PinpipeEnv['overrides'],
): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const o of overrides) {
    let node: Record<string, unknown> = out;
    for (let i = 0; i < o.path.length; i++) {
      const seg = o.path[i]!;
      const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
      const key = Object.keys(node).find((k) => norm(k) === norm(seg)) ?? camel(seg);
      if (i === o.path.length - 1) {
        node[key] = YAML.parse(o.value) ?? o.value;
      } else {
        if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = {};
        node = node[key] as Record<string, unknown>;
      }
    }
  }
  return out;
}

function camel(seg: string): string {
  return seg.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
