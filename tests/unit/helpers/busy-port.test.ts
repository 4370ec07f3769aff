import { describe, expect, it } from 'vitest';
import { PinpipeError } from '../../../src/errors.ts';
import { upWhenPortsFree } from '../../helpers/busy-port.ts';

/** A fake clock: sleep advances it, so the waits below take no real time. */
function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

const busy = (port: number) =>
  new PinpipeError('SANDBOX_PORT_IN_USE', `Port 127.0.0.1:${port} is already in use`, { details: { port } });

describe('upWhenPortsFree', () => {
  it('waits for the held port to be freed, then runs up again and returns its result', async () => {
    const c = clock();
    const said: string[] = [];
    const probed: number[] = [];
    let attempts = 0;
    let openChecks = 0;
    const result = await upWhenPortsFree(
      async () => {
        attempts += 1;
        if (attempts === 1) throw busy(9092);
        return 'up';
      },
      {
        waitMs: 120_000,
        portOpen: async (port) => {
          probed.push(port);
          openChecks += 1;
          return openChecks <= 3; // held for three checks, then free
        },
        say: (m) => said.push(m),
        ...c,
      },
    );
    expect(result).toBe('up');
    expect(attempts).toBe(2);
    expect(probed).toEqual([9092, 9092, 9092, 9092]);
    expect(c.now()).toBe(3000);
    expect(said).toEqual([
      'port 9092 is held by another process; waiting up to 120 s for it to be freed, then starting again',
    ]);
  });

  it('throws any other error at once, without waiting', async () => {
    const c = clock();
    const other = new PinpipeError('SANDBOX_START_FAILED', 'Kafka exited during start-up');
    let attempts = 0;
    await expect(
      upWhenPortsFree(
        async () => {
          attempts += 1;
          throw other;
        },
        { waitMs: 120_000, portOpen: async () => true, say: () => {}, ...c },
      ),
    ).rejects.toBe(other);
    expect(attempts).toBe(1);
    expect(c.now()).toBe(0);
  });

  it('throws the port error when the port is still held at the deadline', async () => {
    const c = clock();
    let attempts = 0;
    const err = upWhenPortsFree(
      async () => {
        attempts += 1;
        throw busy(4566);
      },
      { waitMs: 10_000, portOpen: async () => true, say: () => {}, ...c },
    );
    await expect(err).rejects.toMatchObject({ code: 'SANDBOX_PORT_IN_USE', details: { port: 4566 } });
    expect(attempts).toBe(2); // the first try, and one more at the deadline
    expect(c.now()).toBe(10_000);
  });
});
