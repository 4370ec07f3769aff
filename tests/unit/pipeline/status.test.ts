import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatStatus, type PipelineStatus } from '../../../src/pipeline/status.ts';
import {
  readSinkStatus,
  removeSinkStatus,
  sinkStatusPath,
  writeSinkStatus,
} from '../../../src/sink/status-file.ts';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-status-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the sink status file', () => {
  it('is read while its sink runs, and ignored when stale, from a dead process, or removed', () => {
    const file = sinkStatusPath({ batch: { workDir: path.join(dir, 'batch') } } as never, 'g1');
    expect(file).toBe(path.join(dir, 'status', 'sink-g1.json'));
    expect(readSinkStatus(file)).toBeUndefined();
    const at = new Date('2026-01-01T00:00:00Z');
    const status = {
      pid: process.pid,
      at: at.toISOString(),
      groupId: 'g1',
      topics: { 'x.pin': { buffered: 7, lag: 2 } },
    };
    writeSinkStatus(file, status);
    expect(readSinkStatus(file, at.getTime() + 1000)).toEqual(status);
    expect(readSinkStatus(file, at.getTime() + 10_001)).toBeUndefined();
    // A pid far above any Linux pid_max: no such process.
    writeSinkStatus(file, { ...status, pid: 2 ** 30 });
    expect(readSinkStatus(file, at.getTime())).toBeUndefined();
    removeSinkStatus(file);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('formatStatus', () => {
  const topic = (t: string, over = {}) => ({
    topic: t,
    records: 10,
    sinkLag: 4,
    sinkBuffered: 3,
    objects: 2,
    proxyAcknowledged: 11,
    ...over,
  });
  const base: PipelineStatus = {
    profile: 'local',
    topics: {
      pin: topic('x.pin'),
      geo: topic('x.geo'),
      user: topic('x.user', { sinkBuffered: null, proxyAcknowledged: null }),
    },
    emulated: { runs: 1, acknowledged: { pin: 10, geo: 10, user: 10 } },
    proxy: { url: 'http://127.0.0.1:8082', up: true, detail: 'Kafka reachable' },
    sink: { running: true, pid: 42 },
    lastBatch: null,
    errors: [],
  };

  it('shows lag and buffered records apart, the proxy and the sink', () => {
    const text = formatStatus(base).split('\n');
    expect(text[1]).toBe(
      'topic                        kafka records  sink lag  sink buffered  S3 objects  emulated  via proxy',
    );
    expect(text[2]).toBe(
      'x.pin                                   10         4              3           2        10         11',
    );
    expect(text[4]).toBe(
      'x.user                                  10         4              -           2        10          -',
    );
    expect(text[5]).toBe('proxy: up at http://127.0.0.1:8082 (Kafka reachable)');
    expect(text[6]).toMatch(/^sink: running \(pid 42\); "sink lag" counts records not yet stored in S3/);
    expect(text[7]).toBe('last batch: none yet (pinpipe batch)');
  });

  it('says how to start a proxy or a sink that is not running', () => {
    const text = formatStatus({
      ...base,
      proxy: { ...base.proxy, up: false, detail: 'not running' },
      sink: { running: false, pid: null },
    });
    expect(text).toContain(
      'proxy: not running at http://127.0.0.1:8082: start it with `pinpipe proxy` (`pinpipe run` starts its own)',
    );
    expect(text).toContain(
      'sink: not running (`pinpipe sink --drain` stores what is in Kafka; `pinpipe run` runs one)',
    );
  });
});
