/** The pipeline's stages as the console draws them, and the command that starts each one. */

export const STAGE_IDS = [
  'mysql',
  'emulator',
  'gateway',
  'proxy',
  'kafka',
  'sink',
  's3',
  'batch',
  'results',
] as const;
export type StageId = (typeof STAGE_IDS)[number];
export interface Stage {
  id: StageId;
  label: string;
  /** up: answers; down: unreachable (see `reason`, `start`); idle: nothing to run (one-shot jobs). */
  state: 'up' | 'down' | 'idle';
  reason?: string;
  /** The command that starts the stage when it is down. */
  start?: string;
}
/** The command that starts each stage, for the profile's kind. */
export function startCommand(id: StageId, profile: { name: string; sandboxEnabled: boolean }): string {
  const p = profile.name === 'local' ? '' : ` --profile ${profile.name}`;
  const sandbox = 'npm run sandbox:up';
  switch (id) {
    case 'mysql':
      return profile.sandboxEnabled ? sandbox : `pinpipe doctor${p}`;
    case 'kafka':
    case 's3':
    case 'gateway':
      return profile.sandboxEnabled ? sandbox : `pinpipe provision${p}`;
    case 'emulator':
      return `pinpipe emulate${p}`;
    case 'proxy':
      return `pinpipe proxy${p}`;
    case 'sink':
      return `pinpipe sink${p}`;
    case 'batch':
    case 'results':
      return `pinpipe batch${p}`;
  }
}
