import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/batch/duckdb.ts';
import { sanitizeUtf8 } from '../../../src/batch/load-objects.ts';
import { layerModels, manifest, renderModel } from '../../../src/batch/models.ts';
import { ensureSpark, javaMajor, sparkArgs, standaloneMaster } from '../../../src/batch/spark.ts';
import { TOPIC_KINDS } from '../../../src/batch/types.ts';
import { isPinpipeError } from '../../../src/errors.ts';

/**
 * The Spark engine (spark/pinpipe_batch_spark.py) holds no rule of its own: it renders the DuckDB
 * engine's models from src/batch/models/ and runs the typed load (the staging models) in DuckDB
 * inside its tasks. Its module needs only the standard library at import, so no Spark, Java or venv
 * here: the SQL it renders must be models.ts's, text for text, and its DuckDB the Node package's.
 * (That both engines then give the same rows is batch-spark.test.ts, on the tricky lines too.)
 */
const MODULE_DIR = path.resolve(import.meta.dirname, '../../../spark');

function python(script: string, input = ''): string {
  const r = spawnSync('python3', ['-c', script, MODULE_DIR], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout;
}

const RENDER = `
import json, sys
sys.path.insert(0, sys.argv[1])
import pinpipe_batch_spark as m
models = m.Models()
out = {}
for mod in models.manifest["models"]:
    if mod.get("ephemeral"):
        continue
    for kind in (m.TOPIC_KINDS if mod.get("topic") else [None]):
        out[mod["name"] + (":" + kind if kind else "")] = models.render(mod["name"], kind)
loads = {k: m.TypedLoad(models, k, "t." + k, "topics") for k in m.TOPIC_KINDS}
print(json.dumps({"models": out, "rules": loads["pin"].rules, "load": {k: v.sql for k, v in loads.items()}}))
`;

describe("the Spark engine runs the DuckDB engine's models, rendered as models.ts renders them", () => {
  let py: { models: Record<string, string>; rules: string[]; load: Record<string, string> };
  beforeAll(() => {
    py = JSON.parse(python(RENDER)) as typeof py;
  });

  it('every model that runs by itself, for every topic of a topic model: the same SQL text', () => {
    const ts: Record<string, string> = {};
    for (const mod of manifest().models.filter((m) => !m.ephemeral)) {
      for (const kind of mod.topic ? TOPIC_KINDS : [undefined])
        ts[mod.name + (kind ? `:${kind}` : '')] = renderModel(mod.name, kind);
    }
    expect(Object.keys(py.models).sort()).toEqual(Object.keys(ts).sort());
    for (const [name, sql] of Object.entries(ts))
      expect({ name, sql: py.models[name] }).toEqual({ name, sql });
  });

  it('its typed load ships the rules layer and staging/load.sql for the topic, lines.sql inlined', () => {
    expect(py.rules).toEqual(layerModels('rules').map((m) => renderModel(m.name)));
    for (const kind of TOPIC_KINDS) {
      expect(py.load[kind]).toBe(renderModel('load', kind));
      expect(py.load[kind]).toContain('FROM chunk_lines l JOIN load_files o');
    }
  });

  it('sanitize_utf8 replaces exactly the lines sanitizeUtf8 of load-objects.ts replaces', () => {
    const inputs = [
      Buffer.from('{"a":1}\n\xff\xfe\n{"b":2}\n', 'latin1'),
      Buffer.concat([
        Buffer.from('ok\n'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('\r\n\n'),
        Buffer.from([0xed, 0xa0, 0x80]),
      ]),
      Buffer.concat([Buffer.from([0xe2, 0x82, 0xac, 0x0a, 0xf0, 0x9f, 0x98]), Buffer.from('\nend')]),
      Buffer.concat([Buffer.from([0xc0, 0x80, 0x0a, 0xf4, 0x90, 0x80, 0x80, 0x0a])]),
    ];
    const out = JSON.parse(
      python(
        `
import json, sys
sys.path.insert(0, sys.argv[1])
import pinpipe_batch_spark as m
marker = "\\u0001pinpipe:invalid-utf8".encode()
print(json.dumps([m.sanitize_utf8(bytes.fromhex(h), marker).hex() for h in json.load(sys.stdin)]))
`,
        JSON.stringify(inputs.map((b) => b.toString('hex'))),
      ),
    ) as string[];
    expect(out).toEqual(inputs.map((b) => sanitizeUtf8(b).toString('hex')));
  });

  describe('DuckDB', () => {
    let db: Database;
    beforeAll(async () => {
      db = await openDatabase(':memory:');
    });
    afterAll(() => db.close());

    it('spark/requirements-spark.lock pins the duckdb of @duckdb/node-api (the same engine types the lines)', async () => {
      const lock = fs.readFileSync(path.join(MODULE_DIR, 'requirements-spark.lock'), 'utf8');
      const pinned = /^duckdb==(\S+)$/m.exec(lock)?.[1];
      const [{ v }] = (await db.rows('SELECT version() AS v', 'version')) as [{ v: string }];
      expect(`v${pinned}`).toBe(v);
    });
  });
});

describe('Spark engine helpers', () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['java version "1.8.0_381"', 8],
    ['openjdk version "21" 2023-09-19', 21],
    ['no java here', undefined],
  ])('javaMajor(%j) = %j', (text, major) => {
    expect(javaMajor(text)).toBe(major);
  });

  it.each([
    ['spark://host:7077', { host: 'host', port: 7077 }],
    ['spark://10.0.0.5', { host: '10.0.0.5', port: 7077 }],
    ['local[*]', undefined],
    ['yarn', undefined],
  ])('standaloneMaster(%j)', (master, expected) => {
    expect(standaloneMaster(master)).toEqual(expected);
  });

  it('no usable Python for the first install is SPARK_PREREQ_MISSING with the fix (nothing downloaded)', async () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-spark-cache-'));
    try {
      const err = await ensureSpark(path.resolve(MODULE_DIR, '..'), cache, {
        PATH: '/usr/bin:/bin',
        SPARK_PYTHON: '/nonexistent/python3',
      }).catch((e: unknown) => e);
      expect(isPinpipeError(err, 'SPARK_PREREQ_MISSING')).toBe(true);
      expect((err as Error).message).toContain('/nonexistent/python3 must be Python 3.10 or newer');
      expect((err as Error).message).toContain('apt-get install python3-venv');
    } finally {
      fs.rmSync(cache, { recursive: true, force: true });
    }
  });

  it('sparkArgs passes every setting as a flag', () => {
    expect(
      sparkArgs({
        source: '/s',
        out: '/o',
        master: 'local[2]',
        pipelineId: 'abc',
        topicsDir: 'topics',
        runDate: '2026-01-02',
        workDir: '/w',
        parquetDir: '/w/p',
      }),
    ).toEqual([
      '--source',
      '/s',
      '--out',
      '/o',
      '--master',
      'local[2]',
      '--pipeline-id',
      'abc',
      '--topics-dir',
      'topics',
      '--run-date',
      '2026-01-02',
      '--work-dir',
      '/w',
      '--parquet-dir',
      '/w/p',
    ]);
  });
});
