import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { PinpipeError } from '../../src/errors.ts';

/** Finding and installing the native programs the sandbox needs. */

export function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  const found = r.stdout.trim();
  if (r.status === 0 && found) return found;
  for (const dir of ['/usr/sbin', '/usr/local/sbin', '/usr/libexec', '/usr/local/mysql/bin']) {
    if (fs.existsSync(`${dir}/${cmd}`)) return `${dir}/${cmd}`;
  }
  return undefined;
}

export function isDebianRoot(): boolean {
  return os.platform() === 'linux' && process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get');
}

export function platformInstallHint(debPkg: string, brewPkg: string): string {
  if (os.platform() === 'darwin') return `brew install ${brewPkg}`;
  if (fs.existsSync('/usr/bin/apt-get')) return `sudo apt-get update && sudo apt-get install -y ${debPkg}`;
  if (fs.existsSync('/usr/bin/dnf')) return `sudo dnf install -y ${debPkg}`;
  return `install ${debPkg} with your system's package manager`;
}

let aptUpdated = false;
/** apt-get install as root on Debian/Ubuntu; says so in the log. */
export function aptInstall(pkgs: string[], say: (msg: string) => void): void {
  say(`installing ${pkgs.join(' ')} with apt-get (Debian/Ubuntu, running as root)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    const u = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    if (u.status !== 0) {
      throw new PinpipeError(
        'SANDBOX_PREREQ_MISSING',
        'apt-get update failed; check the package mirrors and retry.',
      );
    }
    aptUpdated = true;
  }
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) {
    throw new PinpipeError(
      'SANDBOX_PREREQ_MISSING',
      `apt-get install ${pkgs.join(' ')} failed; see the output above.`,
    );
  }
}

/**
 * Ensures a command exists. With autoInstall (MariaDB, Maven) it installs the Debian package when
 * running as root on Debian/Ubuntu and says so; otherwise it fails with the command to run.
 */
export function requireTool(
  cmd: string,
  what: string,
  pkgs: { deb: string; brew: string },
  say: (msg: string) => void,
  autoInstall = false,
): string {
  const found = which(cmd);
  if (found) return found;
  if (autoInstall && isDebianRoot()) {
    aptInstall([pkgs.deb], say);
    const again = which(cmd);
    if (again) return again;
  }
  throw new PinpipeError(
    'SANDBOX_PREREQ_MISSING',
    `${what} needs \`${cmd}\`, which is not installed. Install it with: ${platformInstallHint(pkgs.deb, pkgs.brew)}`,
  );
}

export function javaMajor(java: string): number | undefined {
  const r = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  if (!m) return undefined;
  return m[1] === '1' ? Number(m[2]) : Number(m[1]);
}
