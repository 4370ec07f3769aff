import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';
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
  // A variable any profile names as a secret's source (e.g. PINPIPE_MYSQL_PASSWORD) is never an override;
  // a PINPIPE_* name that is no profile field is ignored with a warning naming it (never its value).
  const secretVars = secretVariables(raw as Record<string, unknown>, env.projectRoot);
  const overrides = env.overrides.filter((o) => !secretVars.has(o.variable));
  const unknown = overrides.filter((o) => fieldAt(o.path) === undefined).map((o) => o.variable);
  const known = overrides.filter((o) => fieldAt(o.path) !== undefined);
  const withEnv = applyOverrides(raw as Record<string, unknown>, known);
  const parsed = profileSchema.safeParse(withEnv);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => {
        const where = i.path.join('.') || '(root)';
        const from = known.find((o) => startsWith(i.path, fieldAt(o.path)!.keys));
        return `  - ${where}${from ? ` (from ${from.variable})` : ''}: ${i.message}`;
      })
      .join('\n');
    throw new PinpipeError(
      'CONFIG_INVALID',
      `Profile ${file} is invalid:\n${issues}\nFix these fields (or the variables named) and retry.`,
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
  if (unknown.length > 0) {
    warnings.unshift(
      `ignoring ${unknown.join(', ')}: not a pinpipe variable or profile field (see docs/environment.md).`,
    );
  }
  return { profile, file, env, warnings };
}

function startsWith(path: PropertyKey[], prefix: string[]): boolean {
  return prefix.every((k, i) => path[i] === k);
}

/**
 * The variable names that hold secrets: every `*Env` field of the chosen profile and of every shipped
 * profile (profiles/*.yaml), e.g. PINPIPE_MYSQL_PASSWORD, PINPIPE_PROXY_API_KEY.
 */
export function secretVariables(raw: Record<string, unknown>, root: string): Set<string> {
  const names = new Set<string>();
  const collect = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      if (/Env$/.test(k) && typeof v === 'string' && v) names.add(v);
      else collect(v);
    }
  };
  collect(raw);
  for (const name of listProfiles(root)) {
    try {
      collect(YAML.parse(fs.readFileSync(path.join(root, 'profiles', `${name}.yaml`), 'utf8')));
    } catch {
      // An unreadable shipped profile names no secrets; loading it reports the problem.
    }
  }
  return names;
}

type FieldKind = 'string' | 'number' | 'boolean' | 'string-array' | 'other';

/** The schema node under its default/optional/prefault wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let cur = schema;
  for (;;) {
    const def = cur._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else return cur;
  }
}

function kindOf(schema: z.ZodType): FieldKind {
  const def = unwrap(schema)._zod.def as { type: string; element?: z.ZodType };
  if (def.type === 'string' || def.type === 'enum') return 'string';
  if (def.type === 'number') return 'number';
  if (def.type === 'boolean') return 'boolean';
  if (def.type === 'array' && def.element && kindOf(def.element) === 'string') return 'string-array';
  return 'other';
}

/**
 * The profile field an override's segments name (matched ignoring case and underscores), with its
 * canonical keys and kind; undefined when no such field exists.
 */
export function fieldAt(segments: string[]): { keys: string[]; kind: FieldKind } | undefined {
  let node: z.ZodType = profileSchema;
  const keys: string[] = [];
  for (const seg of segments) {
    const def = unwrap(node)._zod.def as { type: string; shape?: Record<string, z.ZodType> };
    if (def.type !== 'object' || !def.shape) return undefined;
    const key = Object.keys(def.shape).find((k) => norm(k) === norm(seg));
    if (key === undefined) return undefined;
    keys.push(key);
    node = def.shape[key]!;
  }
  return keys.length > 0 ? { keys, kind: kindOf(node) } : undefined;
}

const norm = (s: string) => s.replace(/_/g, '').toLowerCase();

/**
 * An override's value as its field wants it: strings as written (PINPIPE_PIPELINE_ID=123456 stays
 * "123456"), lists of strings as YAML with every item a string, anything else as a YAML scalar or
 * flow collection. A value that is not valid YAML names the variable, never the value.
 */
function overrideValue(o: PinpipeEnv['overrides'][number], kind: FieldKind | undefined): unknown {
  if (kind === 'string') return o.value;
  try {
    return YAML.parse(o.value, kind === 'string-array' ? { schema: 'failsafe' } : {}) ?? o.value;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new PinpipeError(
      'CONFIG_INVALID',
      `${o.variable} is not a valid value for its field${typeof code === 'string' ? ` (YAML ${code})` : ''}; ` +
        'the value is not shown. Fix or unset the variable.',
    );
  }
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
    const field = fieldAt(o.path);
    let node: Record<string, unknown> = out;
    for (let i = 0; i < o.path.length; i++) {
      const seg = o.path[i]!;
      const key = field?.keys[i] ?? Object.keys(node).find((k) => norm(k) === norm(seg)) ?? camel(seg);
      if (i === o.path.length - 1) {
        node[key] = overrideValue(o, field?.kind);
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
