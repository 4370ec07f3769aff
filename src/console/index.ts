export { ConsoleData, type Verdict } from './data.ts';
export { CONSOLE_HOST, DEFAULT_CONSOLE_PORT, startConsole, type RunningConsole } from './server.ts';
