// gnome-keyring's Secret Service for the e2e tests that keep a secret in the
// OS keyring (the SMTP password, a brand's postback secret). The tests run
// under dbus-run-session, which gives them a session bus of their own, so the
// daemon started here is never the user's keyring.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The process that owns the Secret Service's bus name now, if any. */
function secretServiceOwner() {
  const r = spawnSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
    'org.freedesktop.DBus.GetConnectionUnixProcessID', 'string:org.freedesktop.secrets'], { encoding: 'utf8' });
  const m = /uint32 (\d+)/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : null;
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
 * this daemon owns the service's bus name and the keyring file is written:
 * before that, a first request races the daemon. Stop it with `.kill('SIGTERM')`.
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
  // --replace: an earlier test's app may have had D-Bus start a daemon of
  // its own (locked, in $HOME) once that test's keyring was gone; requests
  // must reach this one.
  const k = spawn('gnome-keyring-daemon', ['--replace', '--foreground', '--unlock', '--components=secrets'], {
    env: { ...process.env, XDG_DATA_HOME: data, XDG_RUNTIME_DIR: run },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  let failed = null;
  k.on('error', (e) => (failed = e));
  k.stdin.end('partnerdesk-e2e');
  for (let i = 0; i < 100; i++) {
    if (failed) throw new Error(`cannot start gnome-keyring-daemon (Debian's gnome-keyring): ${failed.message}`);
    if (secretServiceOwner() === k.pid && keyringWritten(data)) return k;
    await sleep(100);
  }
  k.kill('SIGTERM');
  throw new Error(`gnome-keyring did not take the Secret Service on the session bus (its owner: ${secretServiceOwner() ?? 'none'}; run under dbus-run-session)`);
}
