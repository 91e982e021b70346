// A small W3C WebDriver client over Node's fetch, and a tauri-driver launcher:
// enough to drive the real desktop app (WebKitWebDriver underneath), and
// Chromium through chromedriver (browser.mjs), without pulling a
// browser-automation framework into the repository.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A port nobody listens on right now (127.0.0.1). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts tauri-driver on free ports, with the app's data (and its log files,
 * in `logs/`) in a fresh temporary folder. The app inherits this environment (tauri-driver → WebKitWebDriver →
 * app); `databaseUrl(dataDir)` may choose another database than a new SQLite file.
 */
export async function startDriver({ databaseUrl } = {}) {
  const driverPath = process.env.PARTNERDESK_E2E_DRIVER || 'tauri-driver';
  const port = await freePort();
  const nativePort = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-'));
  const env = {
    ...process.env,
    PARTNERDESK_DATABASE_URL: databaseUrl ? databaseUrl(data) : `sqlite:${join(data, 'e2e.db')}`,
    PARTNERDESK_DATA_DIR: data,
    PARTNERDESK_CONFIG_DIR: data,
    PARTNERDESK_LOG_DIR: join(data, 'logs'),
  };
  const started = Date.now();
  const child = spawn(driverPath, ['--port', String(port), '--native-port', String(nativePort)], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  let failed = null;
  child.on('error', (e) => (failed = e));
  const base = `http://127.0.0.1:${port}`;
  for (let ready = false; !ready; ) {
    if (failed) throw new Error(`cannot start ${driverPath}: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`${driverPath} exited (${child.exitCode}) before it answered`);
    try {
      ready = (await fetch(`${base}/status`)).ok;
    } catch {
      /* not listening yet */
    }
    if (!ready) {
      if (Date.now() - started > 15000) {
        child.kill('SIGTERM');
        throw new Error(`${driverPath} did not answer on ${base} within 15 s`);
      }
      await sleep(100);
    }
  }
  return {
    base,
    data,
    // SIGTERM, not SIGKILL: only then does tauri-driver stop its WebKitWebDriver child.
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      }
      killLeftovers(data);
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * Now and then WebKitWebDriver leaves the app running after its session ends;
 * such an orphan keeps this runner's inherited output open and the test run
 * never exits. Every process started for this data folder goes (Linux /proc;
 * elsewhere nothing to do).
 */
function killLeftovers(data) {
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return;
  }
  const mark = `PARTNERDESK_DATA_DIR=${data}`;
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(mark)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      /* gone already, or not ours */
    }
  }
}

async function call(base, method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) {
    const err = new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json.value ?? json)}`);
    err.status = r.status;
    throw err;
  }
  return json.value;
}

export class Session {
  static async create(base, application) {
    return Session.open(base, { 'tauri:options': { application } });
  }

  /** A session with these capabilities (`alwaysMatch`), e.g. `goog:chromeOptions`. */
  static async open(base, capabilities) {
    const value = await call(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, value.sessionId);
  }

  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  /** Waits for an element by CSS selector (10 s). */
  async find(css, timeout = 10000) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
        return v[ELEMENT];
      } catch (e) {
        last = e;
        await sleep(150);
      }
    }
    throw new Error(`element ${css} did not appear: ${last?.message}`);
  }

  async byTestId(id, timeout) {
    return this.find(`[data-testid="${id}"]`, timeout);
  }

  async click(testId) {
    const el = await this.byTestId(testId);
    await this.cmd('POST', `/element/${el}/click`, {});
  }

  async type(testId, text) {
    const el = await this.byTestId(testId);
    await this.cmd('POST', `/element/${el}/clear`, {});
    await this.cmd('POST', `/element/${el}/value`, { text });
  }

  /**
   * Replaces what a plain text field holds with `text`. WebDriver's clear
   * fires no input event, so a React-controlled field that held a value puts
   * it back under the keys: the field is emptied the way React hears (the
   * native value setter, then an input event), then typed into. (Not for
   * Mantine's NumberInput, which turns the empty value into its minimum:
   * `type` suits it.)
   */
  async replace(testId, text) {
    const el = await this.byTestId(testId);
    await this.cmd('POST', '/execute/sync', {
      script: `const e = arguments[0];
        const proto = e instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
        Object.getOwnPropertyDescriptor(proto, 'value').set.call(e, '');
        e.dispatchEvent(new Event('input', { bubbles: true }));`,
      args: [{ [ELEMENT]: el }],
    });
    await this.cmd('POST', `/element/${el}/value`, { text });
  }

  async select(testId, value) {
    const el = await this.find(`[data-testid="${testId}"] option[value="${value}"]`);
    await this.cmd('POST', `/element/${el}/click`, {});
  }

  /**
   * How many elements carry this test id right now (no waiting for them).
   * WebKitWebDriver can answer "stale element reference" while React
   * replaces the elements it is counting; that is asked again.
   */
  async count(testId) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const v = await this.cmd('POST', '/elements', { using: 'css selector', value: `[data-testid="${testId}"]` });
        return v.length;
      } catch (e) {
        if (attempt >= 20 || !/stale element/i.test(e?.message ?? '')) throw e;
        await sleep(50);
      }
    }
  }

  async text(testId) {
    const el = await this.byTestId(testId);
    const shown = await this.cmd('GET', `/element/${el}/text`);
    if (shown) return shown;
    // WebKitWebDriver reports "" for some rendered elements (Mantine alerts): fall back to the DOM text.
    return this.cmd('POST', '/execute/sync', { script: 'return arguments[0].textContent;', args: [{ [ELEMENT]: el }] });
  }


  /** Waits until the element's text contains `want` (a string) or matches it (a RegExp). */
  async waitText(testId, want, timeout = 10000) {
    const ok = (t) => (want instanceof RegExp ? want.test(t) : t.includes(want));
    const end = Date.now() + timeout;
    let seen = '';
    while (Date.now() < end) {
      try {
        seen = await this.text(testId);
        if (ok(seen)) return seen;
      } catch {
        /* not there yet */
      }
      await sleep(150);
    }
    throw new Error(`${testId} never showed ${want instanceof RegExp ? want : `"${want}"`} (last: "${seen}")`);
  }

  /** Runs `script` in the window; it calls `arguments[arguments.length - 1](result)` when done. */
  async executeAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  async screenshot(dir, name) {
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const b64 = await this.cmd('GET', '/screenshot');
    writeFileSync(join(dir, `${name}.png`), Buffer.from(b64, 'base64'));
  }

  async close() {
    await this.cmd('DELETE', '').catch(() => {});
  }
}
