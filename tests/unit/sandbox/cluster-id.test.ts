import { describe, expect, it } from 'vitest';
import { newClusterId } from '../../../sandbox/kafka/config.ts';

describe('newClusterId', () => {
  it('draws again when the id would start with "-", which StorageTool reads as an option', () => {
    // 0xf8 is 111110.. in bits: base64url character 62, "-"
    const draws = ['f8000000-0000-4000-8000-000000000000', '12345678-9abc-4def-8123-456789abcdef'];
    let calls = 0;
    const id = newClusterId(() => draws[calls++]!);
    expect(calls).toBe(2);
    expect(id).toBe(Buffer.from('123456789abc4def8123456789abcdef', 'hex').toString('base64url'));
    expect(Buffer.from('f8000000000040008000000000000000', 'hex').toString('base64url')).toMatch(/^-/);
  });

  it('gives 22 URL-safe base64 characters, never a leading "-", over 20,000 random draws', () => {
    for (let i = 0; i < 20_000; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });
});
