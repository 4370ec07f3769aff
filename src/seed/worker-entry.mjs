// Worker bootstrap for src/seed/gen-worker.ts: a worker thread does not inherit the tsx loader that the
// CLI (bin/pinpipe.mjs), tsx or vitest installed in the main thread, so it registers tsx itself.
import { register } from 'tsx/esm/api';

register();
await import('./gen-worker.ts');
