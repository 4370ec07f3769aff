/** The daily schedule and the Airflow DAG's helpers. `pinpipe run` uses startSchedule. */
export { startSchedule, executeRun, formatRunLine } from './scheduler.ts';
export type {
  ScheduleHandle,
  ScheduleOptions,
  ScheduleStats,
  ScheduledJob,
  JobContext,
  JobOutcome,
  RunRecord,
  RunTrigger,
} from './scheduler.ts';
export { DEFAULT_CRON, validateCron, nextRuns } from './cron.ts';
export {
  AIRFLOW_DAG_ID,
  airflowChildEnv,
  airflowVenvDir,
  createAirflowSandbox,
  ensureAirflow,
  parseAirflowVersion,
} from './airflow.ts';
export type { AirflowSandbox, AirflowRun } from './airflow.ts';
export { batchJob, summarizeBatch } from './batch-job.ts';
export type { RunBatch } from './batch-job.ts';
