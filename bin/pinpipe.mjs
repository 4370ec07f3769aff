#!/usr/bin/env node
// The `pinpipe` bin: runs the TypeScript sources through tsx (the project's one way to run .ts), on a
// supported Node. The project brings Node 24 itself (the npm registry's `node` package, installed by
// `npm ci` into node_modules/.bin, which `npm run` and `npx` put first on PATH). Started by an older
// Node (e.g. `node bin/pinpipe.mjs` on a system Node 20), it runs itself again under that Node 24, or
// stops with one line saying what to do.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Node lines the project runs on: 22 from 22.22, 24 from 24.6 (what its Kafka client needs). */
function supported([major, minor]) {
  return (major === 22 && minor >= 22) || (major === 24 && minor >= 6) || major > 24;
}

const version = process.versions.node.split('.').map(Number);
if (!supported(version)) {
  const projectNode = fileURLToPath(new URL('../node_modules/.bin/node', import.meta.url));
  if (!existsSync(projectNode) || process.env.REEXEC_BY_PINPIPE_BIN === '1') {
    const root = fileURLToPath(new URL('..', import.meta.url));
    process.stderr.write(
      `pinpipe needs Node 24 (or 22.22+), this is Node ${process.versions.node}: run \`npm ci\` in ${root} (it brings Node 24 from the npm registry), then \`npx pinpipe\`.\n`,
    );
    process.exit(1);
  }
  const child = spawn(projectNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, REEXEC_BY_PINPIPE_BIN: '1' },
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../src/cli/main.ts');
  const code = await main(process.argv);
  process.exit(code);
}
