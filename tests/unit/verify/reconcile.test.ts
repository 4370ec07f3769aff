import { describe, expect, it } from 'vitest';
import {
  formatReconciliation,
  reconcile,
  reconcileTopic,
  type TopicCounts,
} from '../../../src/verify/reconcile.ts';

const good: TopicCounts = {
  topic: 'x.pin',
  sent: 100,
  kafka: 100,
  s3: 98,
  s3Errors: 2,
  batch: { records: 98, quarantined: 3, duplicatePosts: 5, cleanRows: 90 },
};

describe('reconcileTopic', () => {
  it('accepts counts where every record is accounted for', () => {
    expect(reconcileTopic(good)).toMatchObject({ ok: true, problems: [] });
  });

  it('flags acknowledged records missing from Kafka', () => {
    const v = reconcileTopic({ ...good, kafka: 99, s3: 97 });
    expect(v.ok).toBe(false);
    expect(v.problems.join()).toMatch(/1 acknowledged record\(s\) are missing from Kafka/);
  });

  it('flags records not yet in S3 and says how to fix it', () => {
    const v = reconcileTopic({ ...good, s3: 90, batch: { ...good.batch!, records: 90, cleanRows: 82 } });
    expect(v.problems.join()).toMatch(/8 record\(s\) are in Kafka but not in S3: run `pinpipe sink --drain`/);
  });

  it('flags a clean table that lost rows beyond duplicates and quarantine', () => {
    const v = reconcileTopic({ ...good, batch: { ...good.batch!, cleanRows: 89 } });
    expect(v.problems.join()).toMatch(/clean table has 89 row\(s\), expected 90/);
  });

  it('flags a batch that has not run', () => {
    expect(reconcileTopic({ ...good, batch: null }).ok).toBe(false);
  });

  it('skips the emulator comparison when no emulation was recorded', () => {
    expect(reconcileTopic({ ...good, sent: null }).ok).toBe(true);
  });
});

describe('reconcile', () => {
  it('is ok only when every topic is, and prints a table', () => {
    const r = reconcile({
      pin: good,
      geo: { ...good, topic: 'x.geo' },
      user: { ...good, topic: 'x.user', kafka: 101 },
    });
    expect(r.ok).toBe(false);
    const text = formatReconciliation(r);
    expect(text).toMatch(/x\.user .*MISMATCH/);
    expect(text).toMatch(/UNEXPLAINED DIFFERENCES/);
  });
});
