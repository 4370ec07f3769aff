import { describe, expect, it } from 'vitest';
import { Rebalanced, SinkLifecycle } from '../../../src/sink/sink-life.ts';

describe('SinkLifecycle', () => {
  it('starts joining, owning no generation', () => {
    const life = new SinkLifecycle();
    expect(life.state).toEqual({ phase: 'joining', last: 0 });
    expect(life.generation).toBeUndefined();
    expect(life.owns(1)).toBe(false);
    expect(life.fenceOf(1).aborted).toBe(true);
  });

  it('a join starts reading for its generation, with an intact fence', () => {
    const life = new SinkLifecycle();
    expect(life.join(3)).toBe(true);
    expect(life.state).toMatchObject({ phase: 'reading', generation: 3, seeded: false, alone: false });
    expect(life.owns(3)).toBe(true);
    expect(life.reads(3)).toBe(true);
    expect(life.owns(2)).toBe(false);
    expect(life.fenceOf(3).aborted).toBe(false);
    expect(life.rejoined).toBe(false);
  });

  it('fencing: a revoke ends the generation at once, before the next join, and aborts its fence', () => {
    const life = new SinkLifecycle();
    life.join(1);
    const fence = life.fenceOf(1);
    expect(life.revoke()).toBe(true);
    expect(life.state).toEqual({ phase: 'joining', last: 1 });
    expect(fence.aborted).toBe(true);
    expect(fence.reason).toBeInstanceOf(Rebalanced);
    expect(life.owns(1)).toBe(false);
    expect(life.revoke()).toBe(false);
    // the next generation never revives the old one
    life.join(2);
    expect(life.owns(1)).toBe(false);
    expect(life.owns(2)).toBe(true);
    expect(fence.aborted).toBe(true);
    expect(life.rejoined).toBe(true);
  });

  it('fencing: a join without a revoke seen first still ends the previous generation', () => {
    const life = new SinkLifecycle();
    life.join(1);
    const fence = life.fenceOf(1);
    life.join(2);
    expect(fence.aborted).toBe(true);
    expect(life.owns(1)).toBe(false);
    expect(life.owns(2)).toBe(true);
  });

  it('seeded and alone belong to one generation', () => {
    const life = new SinkLifecycle();
    life.join(1);
    life.markSeeded(1);
    life.markAlone(1);
    life.markSeeded(7);
    expect(life.seeded(1)).toBe(true);
    expect(life.alone(1)).toBe(true);
    life.join(2);
    expect(life.seeded(2)).toBe(false);
    expect(life.alone(2)).toBe(false);
    life.markSeeded(1);
    expect(life.seeded(2)).toBe(false);
  });

  it('a stop keeps the generation (its final flush may commit) but reads no more', () => {
    const life = new SinkLifecycle();
    life.join(4);
    life.markSeeded(4);
    expect(life.stop('drain')).toBe(4);
    expect(life.state).toMatchObject({ phase: 'stopping', reason: 'drain', generation: 4, seeded: true });
    expect(life.owns(4)).toBe(true);
    expect(life.reads(4)).toBe(false);
    life.stopped('drain');
    expect(life.state).toEqual({ phase: 'stopped', reason: 'drain' });
    expect(life.owns(4)).toBe(false);
  });

  it('fencing: a rebalance during the final flush ends the stop; --drain reads on in the next generation', () => {
    const life = new SinkLifecycle();
    life.join(1);
    life.stop('drain');
    const fence = life.fenceOf(1);
    life.revoke();
    expect(fence.aborted).toBe(true);
    expect(life.owns(1)).toBe(false);
    life.join(2);
    life.resume();
    expect(life.state).toMatchObject({ phase: 'reading', generation: 2 });
  });

  it('a stop that was not interrupted can resume reading the same generation', () => {
    const life = new SinkLifecycle();
    life.join(1);
    life.stop('drain');
    life.resume();
    expect(life.state).toMatchObject({ phase: 'reading', generation: 1 });
    expect(life.reads(1)).toBe(true);
  });

  it('a stop while joining has no generation to flush', () => {
    const life = new SinkLifecycle();
    expect(life.stop('signal')).toBeUndefined();
    life.stopped('signal');
    expect(life.state).toEqual({ phase: 'stopped', reason: 'signal' });
    expect(life.join(5)).toBe(false);
  });

  it('a failure keeps the first error, aborts the fence, and ends the life', () => {
    const life = new SinkLifecycle();
    life.join(1);
    const fence = life.fenceOf(1);
    const first = new Error('bucket gone');
    life.fail(first);
    life.fail(new Error('later'));
    expect(life.fatal).toEqual({ error: first });
    expect(fence.aborted).toBe(true);
    expect(fence.reason).toBe(first);
    expect(life.join(2)).toBe(false);
    expect(life.revoke()).toBe(false);
    life.stopped('signal');
    expect(life.state.phase).toBe('failed');
  });
});
