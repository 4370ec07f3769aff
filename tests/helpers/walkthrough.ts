import fs from 'node:fs';
import path from 'node:path';

/**
 * The runnable part of docs/walkthrough.md: fenced blocks whose info string is `console walkthrough`.
 * In them, a line starting with `$ ` is a command (a trailing `\` continues it on the next line); any
 * other line is an excerpt of its output, where `…` stands for anything.
 */
export interface WalkthroughCommand {
  /** The heading the block is under, e.g. "11. Checking it worked (no counterpart in the original)". */
  step: string;
  command: string;
  excerpts: string[];
}

export const WALKTHROUGH = path.resolve(import.meta.dirname, '..', '..', 'docs', 'walkthrough.md');

export function extractWalkthrough(markdown: string): WalkthroughCommand[] {
  const out: WalkthroughCommand[] = [];
  let step = '';
  let inBlock = false;
  let runnable = false;
  let continuing = false;
  for (const line of markdown.split('\n')) {
    const fence = /^```(.*)$/.exec(line);
    if (fence) {
      if (!inBlock) runnable = fence[1]!.trim().split(/\s+/).join(' ') === 'console walkthrough';
      inBlock = !inBlock;
      continuing = false;
      continue;
    }
    if (!inBlock) {
      const heading = /^## (.+)$/.exec(line);
      if (heading) step = heading[1]!.trim();
      continue;
    }
    if (!runnable) continue;
    if (continuing) {
      out[out.length - 1]!.command += `\n${line}`;
      continuing = line.endsWith('\\');
    } else if (line.startsWith('$ ')) {
      out.push({ step, command: line.slice(2), excerpts: [] });
      continuing = line.endsWith('\\');
    } else if (line.trim() !== '') {
      if (out.length === 0) throw new Error(`walkthrough: an excerpt before any command: ${line}`);
      out[out.length - 1]!.excerpts.push(line);
    }
  }
  if (inBlock) throw new Error('walkthrough: a code block is not closed');
  return out;
}

/** An excerpt line as a pattern over one output line: `…` is anything, runs of spaces are any spaces. */
export function excerptPattern(excerpt: string): RegExp {
  const parts = excerpt
    .trim()
    .split('…')
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(parts.join('.*'));
}

/** The commands as one bash script; each command is announced on stderr with a marker line first. */
export function walkthroughScript(commands: WalkthroughCommand[]): string {
  const lines = ['set -euo pipefail'];
  commands.forEach((c, i) => {
    lines.push(`echo '${marker(i)}' >&2`, c.command);
  });
  lines.push('wait');
  return `${lines.join('\n')}\n`;
}

export function marker(i: number): string {
  return `::walkthrough command ${i}::`;
}

export function readWalkthrough(): WalkthroughCommand[] {
  return extractWalkthrough(fs.readFileSync(WALKTHROUGH, 'utf8'));
}
