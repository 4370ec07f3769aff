import { createRequire } from 'node:module';

/** The part of kafkajs's internal RequestQueue that scheduleCheckPendingRequests touches. */
interface RequestQueue {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;
/** What Node runs a timer with a delay below 1 after. */
const MIN_DELAY = 1;

/**
 * kafkajs 2.2.4, its last release, schedules the request queue's check with `throttledUntil -
 * Date.now()` while `throttledUntil` is still -1: a negative delay, which every Node runs after
 * 1 ms and Node 24 also reports with a TimeoutNegativeWarning on stderr, once per process
 * (tulios/kafkajs#1751; the fix proposed upstream is not released). This replaces that one method
 * with the same code and the 1 ms written out, so timing is unchanged and nothing is printed. It
 * patches only the method it recognises: a kafkajs that no longer computes the delay this way is
 * left alone. Returns whether the method is (now) the patched one.
 */
export function patchKafkajsRequestQueue(): boolean {
  const require = createRequire(import.meta.url);
  const proto = (require('kafkajs/src/network/requestQueue/index.js') as { prototype: RequestQueue })
    .prototype;
  const current = proto.scheduleCheckPendingRequests;
  if (current === scheduleCheckPendingRequests) return true;
  if (!/let scheduleAt = this\.throttledUntil - Date\.now\(\)/.test(current.toString())) return false;
  proto.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  return true;
}

function scheduleCheckPendingRequests(this: RequestQueue): void {
  let scheduleAt = this.throttledUntil - Date.now();
  if (!this.throttleCheckTimeoutId) {
    if (this.pending.length > 0) {
      scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL;
    }
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null;
        this.checkPendingRequests();
      },
      Math.max(MIN_DELAY, scheduleAt),
    );
  }
}
