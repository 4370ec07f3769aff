import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sandboxDirProblem } from '../../../sandbox/sandbox.ts';

/** Folders the sandbox commands must never write to or wipe. */
const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pinpipe-dirs-'));
const root = path.join(base, 'home', 'me', 'pinpipe');
fs.mkdirSync(root, { recursive: true });
const places = { root, home: path.join(base, 'home', 'me'), cwd: root };

describe('sandboxDirProblem', () => {
  it('refuses the project folder, its parents, the home folder and /', () => {
    expect(sandboxDirProblem(root, places)).toBe('the project folder');
    expect(sandboxDirProblem(path.join(root, '.'), places)).toBe('the project folder');
    expect(sandboxDirProblem(path.join(root, 'sub', '..'), places)).toBe('the project folder');
    expect(sandboxDirProblem(path.join(base, 'home', 'me'), places)).toBe(
      'a folder that contains the project folder',
    );
    expect(sandboxDirProblem('/', places)).toBe('the root of the file system');
  });

  it('refuses the current folder when it is elsewhere', () => {
    const cwd = path.join(base, 'work');
    expect(sandboxDirProblem(cwd, { ...places, cwd })).toBe('the current folder');
  });

  it('accepts a folder of its own inside the project or elsewhere', () => {
    expect(sandboxDirProblem(path.join(root, '.sandbox'), places)).toBeUndefined();
    expect(sandboxDirProblem(path.join(base, 'sbx'), places)).toBeUndefined();
  });
});
