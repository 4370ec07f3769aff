export { parsePositiveInt } from './context.ts';
export { ExitCode, exitCodeFor } from './exit-codes.ts';
