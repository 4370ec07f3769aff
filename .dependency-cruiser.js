// The walls between pinpipe's folders, checked by dependency-cruiser as part of `npm run lint`.
// ARCHITECTURE.md#walls says the same in prose; docs/decisions.md says why this tool.

// src/'s layers, lowest first: a file may import its own layer and lower ones, never a higher one.
const layers = [
  ['base', '^src/(errors|json|table|file-lock|process-alive|secret-equals)[.]ts$'],
  ['config', '^src/(config/|log[.]ts$)'],
  ['clients', '^src/clients/'],
  ['stages', '^src/(seed|emulator|ledger|proxy|sink|batch|provision|stack|doctor|orchestrate)/'],
  ['readers', '^src/(report|verify)/'],
  ['apps', '^src/(console|pipeline)/'],
  ['cli', '^src/cli/'],
];

const layerRules = layers.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name}`,
  comment: `src's layer "${name}" imports only itself and lower layers (ARCHITECTURE.md#walls)`,
  severity: 'error',
  from: { path },
  to: { path: layers.slice(i + 1).map(([, higher]) => higher) },
}));

// What another folder may import from a stage besides its index.ts. An index.ts loads its whole stage
// (ES modules evaluate every re-export), so these few pure files stay importable on their own: a
// stage or command that needs the S3 key layout, the result names, the topic keys, the batch
// database or the result tables' text rendering does not load the sink, the batch or the emulator. src/clients/ is a set of independent
// clients, each file its own module (a stage loads only the client it uses); src/cli/main.ts is the
// program bin/pinpipe.mjs runs.
const publicFiles = [
  '^src/[^/]+/index[.]ts$',
  '^src/clients/',
  '^src/sink/keys[.]ts$',
  '^src/batch/(results|query)[.]ts$',
  '^src/emulator/types[.]ts$',
  '^src/report/console-table[.]ts$',
  '^src/cli/main[.]ts$',
];

// The folders outside src/ that use the stages (scripts, the sandbox, the CDK app, benches, the kit).
const consumers =
  '^(bin|scripts|sandbox|infra|bench|testkit|tests/(integration|e2e|helpers)|tests/[^/]+[.]ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'stage-through-index',
      comment:
        'a stage imports another stage only through its index.ts (or one of the few public files listed in .dependency-cruiser.js); export what is needed from that index.ts (ARCHITECTURE.md#walls)',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/[^/]+/', pathNot: ['^src/$1/', ...publicFiles] },
    },
    {
      name: 'consumer-through-index',
      comment:
        "scripts, the sandbox, infra, bench, testkit and the integration and end-to-end tests import a stage only through its index.ts (or a listed public file); only tests/unit may reach a stage's own files",
      severity: 'error',
      from: { path: consumers },
      to: { path: '^src/[^/]+/', pathNot: publicFiles },
    },
    {
      name: 'public-files-stay-light',
      comment:
        "a file importable past its stage's index.ts imports no stage's index.ts (it must not load a stage)",
      severity: 'error',
      from: { path: publicFiles.slice(2, -1) },
      to: { path: '^src/[^/]+/index[.]ts$', pathNot: '^src/config/' },
    },
    ...layerRules,
    {
      name: 'no-cycles',
      comment: 'no import cycles (an index.ts re-export that closes a loop counts)',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-stays-in-src',
      comment:
        'src/ imports only src/ and packages, never bench, tests, the test kit, scripts, sandbox or infra',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(bench|tests|testkit|scripts|sandbox|infra|bin)/' },
    },
    {
      name: 'tests-only-from-tests',
      comment: 'only tests/ imports tests/; what bench or scripts need from it belongs in testkit/',
      severity: 'error',
      from: { pathNot: '^tests/' },
      to: { path: '^tests/' },
    },
    {
      name: 'bench-only-from-bench',
      comment: 'only bench/ imports bench/; what tests need from it belongs in testkit/',
      severity: 'error',
      from: { pathNot: '^bench/' },
      to: { path: '^bench/' },
    },
    {
      name: 'testkit-below-tests-and-bench',
      comment: 'testkit/ serves tests, bench and scripts and imports none of them',
      severity: 'error',
      from: { path: '^testkit/' },
      to: { path: '^(bench|tests|scripts)/' },
    },
    {
      name: 'testkit-for-tests-bench-scripts',
      comment: 'testkit/ is test and bench code: src, sandbox and infra never import it',
      severity: 'error',
      from: { path: '^(src|sandbox|infra|bin)/' },
      to: { path: '^testkit/' },
    },
    {
      name: 'resolvable',
      comment: 'every relative import resolves to a file (the walls cannot judge what they cannot find)',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true, path: '^[.]' },
    },
  ],
  options: {
    exclude: { path: '^(infra/cdk[.]out|tests/fixtures)/' },
    // Packages are not walked: the walls are between our folders.
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a wall is about what a file knows, not only what it runs.
    tsPreCompilationDeps: true,
    moduleSystems: ['es6', 'cjs'],
    // Resolve packages as Node's ES modules do (several expose only an "import" condition).
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'node', 'default'] },
    progress: { type: 'none' },
  },
};
