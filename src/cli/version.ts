import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseJson } from '../json.ts';

/** pinpipe's version: the `version` field of the package.json next to src/. */
export function packageVersion(): string {
  const pkg = parseJson(
    readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    z.object({ version: z.string() }),
  );
  return pkg.ok ? pkg.value.version : '0.0.0';
}
