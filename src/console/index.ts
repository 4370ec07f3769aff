export { startConsole, CONSOLE_HOST, DEFAULT_CONSOLE_PORT, type RunningConsole } from './server.ts';
export { ConsoleData } from './data.ts';
export type { PipelineFigures, TopicFigures } from './figures.ts';
export { VERDICT_MS, type Verdict } from './verdict.ts';
