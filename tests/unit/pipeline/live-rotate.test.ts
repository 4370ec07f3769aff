import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../../src/config/load.ts';
import { readEnv } from '../../../src/config/env.ts';
import { LIVE_ROTATE_MS, liveRotateMs } from '../../../src/pipeline/run.ts';

describe("pinpipe run's object rotation by the wall clock", () => {
  const profile = loadProfile('local', readEnv({})).profile;

  it('closes objects every LIVE_ROTATE_MS (5 s) by default, so S3 follows a live run', () => {
    expect(profile.sink.rotateScheduleIntervalMs).toBe(0);
    expect(LIVE_ROTATE_MS).toBe(5000);
    expect(liveRotateMs(profile)).toBe(5000);
  });

  it("takes the flag (0 = by size only), else the profile's setting when it has one", () => {
    expect(liveRotateMs(profile, 0)).toBe(0);
    expect(liveRotateMs(profile, 1500)).toBe(1500);
    const set = { ...profile, sink: { ...profile.sink, rotateScheduleIntervalMs: 60_000 } };
    expect(liveRotateMs(set)).toBe(60_000);
    expect(liveRotateMs(set, 2000)).toBe(2000);
  });
});
