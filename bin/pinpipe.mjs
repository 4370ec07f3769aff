#!/usr/bin/env node
// The `pinpipe` bin: runs the TypeScript sources through tsx (the project's one way to run .ts).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv);
process.exit(code);
