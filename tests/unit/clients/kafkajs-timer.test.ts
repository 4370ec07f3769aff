import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { patchKafkajsRequestQueue } from '../../../src/clients/kafkajs-timer.ts';

interface Queue {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  scheduleCheckPendingRequests(): void;
}
type QueueClass = new (options: Record<string, unknown>) => Queue;

const RequestQueue = createRequire(import.meta.url)(
  'kafkajs/src/network/requestQueue/index.js',
) as QueueClass;
const quiet = { namespace: () => quiet, debug() {}, info() {}, warn() {}, error() {} };

function queue(): Queue {
  return new RequestQueue({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:1',
    logger: quiet,
  });
}

/** The delay kafkajs passes to setTimeout when it schedules the queue's check. */
function scheduledDelay(q: Queue): number | undefined {
  const spy = vi.spyOn(globalThis, 'setTimeout');
  try {
    q.scheduleCheckPendingRequests();
    return spy.mock.calls[0]?.[1];
  } finally {
    spy.mockRestore();
    clearTimeout(q.throttleCheckTimeoutId ?? undefined);
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("kafkajs's request-queue timer", () => {
  it('is patched when the Kafka clients module loads, and patching again changes nothing', async () => {
    await import('../../../src/clients/kafka.ts');
    expect(patchKafkajsRequestQueue()).toBe(true);
    expect(patchKafkajsRequestQueue()).toBe(true);
  });

  it('schedules 1 ms, not a negative delay, when nothing is throttled', () => {
    patchKafkajsRequestQueue();
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    expect(scheduledDelay(queue())).toBe(1);
  });

  it("keeps kafkajs's 10 ms for pending requests and the throttle time when throttled", () => {
    patchKafkajsRequestQueue();
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    const pending = queue();
    pending.pending.push({});
    expect(scheduledDelay(pending)).toBe(10);
    const throttled = queue();
    throttled.throttledUntil = 1_800_000_000_250;
    expect(scheduledDelay(throttled)).toBe(250);
  });

  it('makes Node print no TimeoutNegativeWarning', async () => {
    patchKafkajsRequestQueue();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const q = queue();
      q.scheduleCheckPendingRequests();
      await new Promise((resolve) => setTimeout(resolve, 20));
      clearTimeout(q.throttleCheckTimeoutId ?? undefined);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toEqual([]);
  });
});
