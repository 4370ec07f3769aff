import { describe, expect, it } from 'vitest';
import { PinpipeError } from '../../../src/errors.ts';
import { checkFailureOf } from '../../../src/doctor/checks.ts';

describe('an error that carries its fix', () => {
  const err = new PinpipeError('GATEWAY_FAILED', 'No API Gateway REST API named "pinpipe-x"', {
    fix: 'run pinpipe provision (or npm run sandbox:up), or set apiGateway.invokeUrl.',
  });

  it('says the problem and the fix in its message, and keeps both apart', () => {
    expect(err.message).toBe(
      'No API Gateway REST API named "pinpipe-x": run pinpipe provision (or npm run sandbox:up), or set apiGateway.invokeUrl.',
    );
    expect(err.problem).toBe('No API Gateway REST API named "pinpipe-x"');
    expect(err.fix).toBe('run pinpipe provision (or npm run sandbox:up), or set apiGateway.invokeUrl.');
  });

  it("becomes a doctor check's message and fix", () => {
    const f = checkFailureOf(err);
    expect(f.message).toBe('GATEWAY_FAILED: No API Gateway REST API named "pinpipe-x"');
    expect(f.fix).toBe('Run pinpipe provision (or npm run sandbox:up), or set apiGateway.invokeUrl.');
    expect(f.cause).toBe(err);
  });

  it('leaves an error without a fix whole, even when its text says "run"', () => {
    const plain = new PinpipeError('GATEWAY_FAILED', 'Cannot look up the REST API: run npm run sandbox:up');
    expect(plain.fix).toBeUndefined();
    expect(plain.problem).toBe(plain.message);
    const f = checkFailureOf(plain);
    expect(f.message).toBe('GATEWAY_FAILED: Cannot look up the REST API: run npm run sandbox:up');
    expect(f.fix).toBeUndefined();
    expect(checkFailureOf(new Error('socket hang up')).message).toBe('socket hang up');
  });
});
