import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TOP = ['README.md', 'ARCHITECTURE.md', '.ci/run', 'docker-compose.yml'];
const DIRS = ['src', 'sandbox', 'scripts', 'bench', 'tests', 'docs', 'orchestrate', 'profiles', 'bin', 'aws'];
const TEXT = /\.(ts|mjs|js|sql|md|py|ya?ml|json|sh|lock|txt)$/;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === '__pycache__' || name === 'fixtures') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (TEXT.test(name)) out.push(p);
  }
}

function repositoryFiles(): Array<{ rel: string; text: string }> {
  const files: string[] = TOP.map((f) => path.join(ROOT, f));
  for (const d of DIRS) walk(path.join(ROOT, d), files);
  return files.map((f) => ({ rel: path.relative(ROOT, f), text: readFileSync(f, 'utf8') }));
}

/** Every id docs/spec.md defines: explicit <a id="…"> anchors and the slugs of its headings. */
function specAnchors(): Set<string> {
  const spec = readFileSync(path.join(ROOT, 'docs', 'spec.md'), 'utf8');
  const ids = new Set([...spec.matchAll(/<a id="([^"]+)">/g)].map((m) => m[1]!));
  for (const m of spec.matchAll(/^#+ (.+)$/gm)) {
    ids.add(
      m[1]!
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    );
  }
  return ids;
}

describe('docs/spec.md, the rule book', () => {
  const files = repositoryFiles();

  it('defines every anchor the repository points at', () => {
    const ids = specAnchors();
    const broken: string[] = [];
    for (const { rel, text } of files) {
      for (const m of text.matchAll(/spec\.md#([A-Za-z0-9_-]+)/g)) {
        if (!ids.has(m[1]!)) broken.push(`${rel}: #${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('is the only rule book: nothing cites a numbered section or a file outside the repository', () => {
    // Written in pieces so that this file does not match itself.
    const outside = new RegExp(
      ['\\.\\./' + 'shared', 'shared/' + 'spec', 'shared/' + 'guide', '\\bspec ' + '\u00a7'].join('|'),
      'i',
    );
    const hits = files.filter(({ text }) => outside.test(text)).map(({ rel }) => rel);
    expect(hits).toEqual([]);
  });

  it('keeps issue numbers in docs/decisions.md only', () => {
    const issue = /\bissues? #?\d+/i;
    const hits = files
      .filter(({ rel }) => rel !== path.join('docs', 'decisions.md'))
      .flatMap(({ rel, text }) =>
        text
          .split('\n')
          .map((line, i) => ({ line, i }))
          .filter(({ line }) => issue.test(line))
          .map(({ line, i }) => `${rel}:${i + 1}: ${line.trim()}`),
      );
    expect(hits).toEqual([]);
  });
});
