export { acquireLock } from './lock.ts';
export { startOwnProxy } from './own-proxy.ts';
export { LIVE_ROTATE_MS, liveRotateMs, runPipeline } from './run.ts';
export { formatStatus, pipelineStatus } from './status.ts';
export { watchServices } from './watchdog.ts';
