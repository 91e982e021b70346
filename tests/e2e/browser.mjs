// Debian's Chromium through its chromedriver (W3C WebDriver), for the tests
// where a real browser visits a web page rather than the desktop app's window.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session, freePort } from './webdriver.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const CHROMIUM = process.env.PARTNERDESK_E2E_CHROMIUM || '/usr/bin/chromium';
export const CHROMEDRIVER = process.env.PARTNERDESK_E2E_CHROMEDRIVER || '/usr/bin/chromedriver';

/** Says which Debian package to install when a binary is missing. */
export function checkChromium() {
  for (const [bin, pkg] of [[CHROMIUM, 'chromium'], [CHROMEDRIVER, 'chromium-driver']]) {
    if (!existsSync(bin)) {
      throw new Error(`${bin} is missing: install Debian's ${pkg} (apt-get install --no-install-recommends chromium chromium-driver; cargo xtask test does it as root)`);
    }
  }
}

/**
 * Starts chromedriver on a free port and opens a session with headless
 * Chromium whose profile is `profileDir` (a fresh temporary folder).
 * `stop()` ends the session, chromedriver, and any Chromium process of that
 * profile still running, whatever state the test left them in.
 */
export async function startChromium(profileDir) {
  checkChromium();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(CHROMEDRIVER, [`--port=${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  let failed = null;
  child.on('error', (e) => (failed = e));
  const stopDriver = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    killProfile(profileDir);
  };
  try {
    const started = Date.now();
    for (let ready = false; !ready; ) {
      if (failed) throw new Error(`cannot start ${CHROMEDRIVER}: ${failed.message}`);
      if (child.exitCode !== null) throw new Error(`${CHROMEDRIVER} exited (${child.exitCode}) before it answered`);
      try {
        ready = (await (await fetch(`${base}/status`)).json())?.value?.ready === true;
      } catch {
        /* not listening yet */
      }
      if (!ready) {
        if (Date.now() - started > 15000) throw new Error(`${CHROMEDRIVER} did not answer on ${base} within 15 s`);
        await sleep(100);
      }
    }
    const session = await Session.open(base, {
      browserName: 'chrome',
      'goog:chromeOptions': {
        binary: CHROMIUM,
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
          '--no-default-browser-check', `--user-data-dir=${profileDir}`, '--window-size=1280,900'],
      },
    });
    return {
      session,
      stop: async () => {
        await session.close();
        await stopDriver();
      },
    };
  } catch (e) {
    await stopDriver();
    throw e;
  }
}

/** Kills every process whose command line names this profile (a Chromium left behind). */
function killProfile(profileDir) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return;
  }
  const mark = `--user-data-dir=${profileDir}`;
  for (const pid of pids) {
    try {
      if (readFileSync(join('/proc', pid, 'cmdline'), 'utf8').split('\0').includes(mark)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone already, or not ours */
    }
  }
}
