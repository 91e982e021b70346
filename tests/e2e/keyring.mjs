// gnome-keyring's Secret Service for the e2e tests that keep a secret in the
// OS keyring (the SMTP password, a brand's postback secret). The tests run
// under dbus-run-session, which gives them a session bus of their own, so the
// daemon started here is never the user's keyring.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function secretServiceUp() {
  const r = spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { encoding: 'utf8' });
  return Boolean(r.stdout?.includes('true'));
}

function keyringWritten(data) {
  try {
    return statSync(join(data, 'keyrings', 'login.keyring')).size > 0;
  } catch {
    return false;
  }
}

/**
 * Starts gnome-keyring-daemon with its files under `dir` and unlocks its
 * login keyring (a password on stdin creates and unlocks it). Returns once
 * the service owns its bus name and the keyring file is written: before
 * that, a first request races the daemon. Stop it with `.kill('SIGTERM')`.
 */
export async function startKeyring(dir) {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session: run the e2e tests under dbus-run-session (as cargo xtask test does)');
  }
  const data = join(dir, 'keyring-data');
  const run = join(dir, 'keyring-run');
  mkdirSync(data, { recursive: true });
  mkdirSync(run, { recursive: true });
  chmodSync(run, 0o700);
  const k = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: { ...process.env, XDG_DATA_HOME: data, XDG_RUNTIME_DIR: run },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  let failed = null;
  k.on('error', (e) => (failed = e));
  k.stdin.end('partnerdesk-e2e');
  for (let i = 0; i < 100; i++) {
    if (failed) throw new Error(`cannot start gnome-keyring-daemon (Debian's gnome-keyring): ${failed.message}`);
    if (secretServiceUp() && keyringWritten(data)) return k;
    await sleep(100);
  }
  k.kill('SIGTERM');
  throw new Error('gnome-keyring did not start on the session bus (run under dbus-run-session)');
}
