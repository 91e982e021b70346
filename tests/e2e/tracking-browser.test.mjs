// The tracking server end to end with a real browser (issue 29): Debian's
// Chromium, driven through chromedriver, follows a partner's short link on
// `partnerdesk serve` and lands on the brand's landing page (a tiny server
// here) with the click id, code, sub-id and campaign filled in; the click is
// in the database, counted as a person's; a signed registration postback
// with that click id then stores the customer under the link's partner —
// shown by `partnerdesk report` and, in the desktop app, on the partner's
// page and in its customers.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkChromium, startChromium } from './browser.mjs';
import { startKeyring } from './keyring.mjs';
import { Session, freePort, startDriver } from './webdriver.mjs';

const app = process.env.PARTNERDESK_E2E_APP;
const cli = process.env.PARTNERDESK_E2E_CLI;
const shots = process.env.PARTNERDESK_E2E_SCREENSHOTS;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const CUSTOMER = 'E2E-WEB-1';
let dir;
let db;
let keyring;
let landing;
let serve;
let chromium;
let driver;
let desktop;
// What the server and its children said, for a failure's message.
const serveLog = [];

function partnerdesk(args) {
  return execFileSync(cli, args, {
    env: { ...process.env, PARTNERDESK_DATABASE_URL: db, PARTNERDESK_DATA_DIR: dir, RUST_LOG: 'warn' },
    encoding: 'utf8',
  });
}

/** A brand's landing page: records each request and shows its query. */
function startLanding() {
  const seen = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://landing.invalid');
    seen.push({ path: url.pathname, query: url.searchParams, userAgent: req.headers['user-agent'] ?? '' });
    if (url.pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    const rows = [...url.searchParams].map(([k, v]) => `<li data-key="${esc(k)}">${esc(k)}=${esc(v)}</li>`).join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><title>Casino landing</title><h1 id="landing">Welcome to the casino</h1><ul id="query">${rows}</ul>`);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, seen, base: `http://127.0.0.1:${server.address().port}` }));
  });
}

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** `partnerdesk serve` on `port`, once its readiness endpoint answers. */
async function startServe(port) {
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(cli, ['serve', '--listen', `127.0.0.1:${port}`, '--public-url', base, '--flush-ms', '100'], {
    env: { ...process.env, PARTNERDESK_DATABASE_URL: db, PARTNERDESK_DATA_DIR: dir, RUST_LOG: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => serveLog.push(d));
  let failed = null;
  child.on('error', (e) => (failed = e));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    // SIGTERM: the server writes its queued clicks and exits 0.
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(30000).then(() => 'timeout')]);
    if (code === 'timeout') child.kill('SIGKILL');
    return code;
  };
  const started = Date.now();
  for (;;) {
    if (failed) throw new Error(`cannot start ${cli} serve: ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`partnerdesk serve exited (${child.exitCode}): ${serveLog.join('')}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) return { base, stop };
    } catch {
      /* not listening yet */
    }
    if (Date.now() - started > 30000) {
      await stop();
      throw new Error(`partnerdesk serve was not ready on ${base} within 30 s: ${serveLog.join('')}`);
    }
    await sleep(100);
  }
}

/** The UTC day of now, shifted by `days`, as YYYY-MM-DD. */
const day = (days = 0) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

/** `links clicks` around today, as { path: { clicks, unique, bots, prefetches } }. */
function clickCounts() {
  const out = partnerdesk(['links', 'clicks', '--from', day(-1), '--to', day(1)]);
  const rows = {};
  for (const line of out.trim().split('\n').slice(1)) {
    const [path, clicks, unique, bots, prefetches] = line.split('\t');
    rows[path] = { clicks: Number(clicks), unique: Number(unique), bots: Number(bots), prefetches: Number(prefetches) };
  }
  return rows;
}

/** Polls `links clicks` until `want(counts)` holds (the click writer flushes off the request path). */
async function waitClicks(want, timeout = 10000) {
  const end = Date.now() + timeout;
  let seen;
  while (Date.now() < end) {
    seen = clickCounts();
    if (want(seen)) return seen;
    await sleep(200);
  }
  throw new Error(`the clicks never reached what was expected (last: ${JSON.stringify(seen)})`);
}

function postback(base, secret, event) {
  const body = JSON.stringify(event);
  const signature = createHmac('sha256', secret).update(body).digest('hex');
  return fetch(`${base}/postback/casino`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-Partnerdesk-Signature': signature },
    body,
  });
}

before(async () => {
  assert.ok(cli, 'PARTNERDESK_E2E_CLI names the partnerdesk CLI binary (cargo xtask test sets it)');
  checkChromium();
  dir = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-tracking-'));
  db = `sqlite:${join(dir, 'tracking.db')}`;
  // The brands' postback secrets live in the OS keyring: a Secret Service of this test's own.
  keyring = await startKeyring(dir);
  landing = await startLanding();
  partnerdesk(['import', 'tests/fixtures/tracking']);
  const port = await freePort();
  partnerdesk(['links', 'settings', '--scheme', 'code', '--fallback', `${landing.base}/fallback`,
    '--public-url', `http://127.0.0.1:${port}`]);
  partnerdesk(['links', 'landing', '--brand', 'casino',
    `${landing.base}/welcome?cid={click_id}&code={code}&s1={sub1}&camp={campaign}`]);
  const made = partnerdesk(['links', 'add', '--brand', 'casino', '--code', 'AF1']);
  assert.match(made, /link \/AF1 for code AF1 of partner P1/);
  serve = await startServe(port);
  const profile = join(dir, 'chromium-profile');
  mkdirSync(profile);
  chromium = await startChromium(profile);
});

after(async () => {
  // Every child goes, whatever failed: the desktop, Chromium, the server, the landing page, the keyring.
  await desktop?.close().catch(() => {});
  await driver?.stop().catch(() => {});
  await chromium?.stop().catch(() => {});
  await serve?.stop().catch(() => {});
  await new Promise((r) => (landing ? landing.server.close(r) : r()));
  landing?.server.closeAllConnections?.();
  keyring?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let clickId;

test('Chromium follows a short link to the landing page; its click is counted as a person', async () => {
  const s = chromium.session;
  const link = `${serve.base}/AF1?sub1=e2e-sub&campaign=spring%20sale`;

  // First as it is: headless Chromium says so in its user agent (HeadlessChrome),
  // which the server counts as a bot, not a person. It still lands.
  await s.cmd('POST', '/url', { url: link });
  assert.ok((await s.cmd('GET', '/url')).startsWith(`${landing.base}/welcome?`), 'the bot lands too');
  const headless = await s.cmd('POST', '/execute/sync', { script: 'return navigator.userAgent', args: [] });
  assert.match(headless, /HeadlessChrome\//);
  await waitClicks((c) => c['/AF1']?.bots === 1);

  // Then as the same browser with a window says it is (its user agent without
  // "Headless"), set through Chrome DevTools: now a person's click.
  const userAgent = headless.replace('HeadlessChrome/', 'Chrome/');
  await s.cmd('POST', '/goog/cdp/execute', { cmd: 'Network.setUserAgentOverride', params: { userAgent } });
  const before = landing.seen.length;
  await s.cmd('POST', '/url', { url: link });

  // The browser ended on the landing page, which shows what the server filled in.
  const at = new URL(await s.cmd('GET', '/url'));
  assert.equal(`${at.origin}${at.pathname}`, `${landing.base}/welcome`, 'the browser ended on the landing page');
  assert.equal(await s.cmd('GET', '/title'), 'Casino landing');
  const page = await s.cmd('POST', '/execute/sync', { script: 'return document.getElementById("query").textContent', args: [] });
  assert.match(page, /code=AF1/);
  await s.screenshot(shots, 'tracking-01-landing');

  // The landing server saw the click id, the code, the sub-id and the campaign in its template.
  const visits = landing.seen.slice(before).filter((v) => v.path === '/welcome');
  assert.equal(visits.length, 1, 'one landing visit');
  const q = visits[0].query;
  clickId = q.get('cid');
  assert.match(clickId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv4 click id');
  assert.equal(q.get('code'), 'AF1');
  assert.equal(q.get('s1'), 'e2e-sub');
  assert.equal(q.get('camp'), 'spring sale');
  assert.equal(visits[0].userAgent, userAgent, 'the landing got the browser itself (redirect followed)');
  assert.equal(at.searchParams.get('cid'), clickId);

  // After the click writer's flush: one click, unique, a person's; the headless one apart.
  const counts = await waitClicks((c) => c['/AF1']?.clicks === 1);
  assert.deepEqual(counts['/AF1'], { clicks: 1, unique: 1, bots: 1, prefetches: 0 });

  // An unknown path goes to the fallback, never an error page.
  await s.cmd('POST', '/url', { url: `${serve.base}/NO-SUCH-CODE` });
  assert.equal(await s.cmd('GET', '/url'), `${landing.base}/fallback`);
});

test('a signed registration postback with the click id puts the customer under the partner', async () => {
  assert.ok(clickId, 'the browser test found the click id');
  const secret = partnerdesk(['links', 'postback-secret', '--brand', 'casino']).trim();
  assert.match(secret, /^\S{32,}$/, 'a secret is printed once');
  const event = {
    event_id: 'e2e-reg-1',
    type: 'registration',
    time: new Date().toISOString(),
    click_id: clickId,
    customer_id: CUSTOMER,
    country: 'DE',
  };

  // A wrong signature is refused and changes nothing.
  const forged = await postback(serve.base, 'not-the-secret', event);
  assert.equal(forged.status, 401);

  const r = await postback(serve.base, secret, event);
  const answer = await r.json();
  assert.equal(r.status, 200, JSON.stringify(answer));
  assert.notEqual(answer.outcome, 'duplicate', JSON.stringify(answer));
  // Sent again, it is a duplicate and changes nothing.
  const again = await postback(serve.base, secret, event);
  assert.equal(again.status, 200);
  assert.equal((await again.json()).outcome, 'duplicate');

  // The partner's figures of today (REPORTS.md): the click and the registration.
  const csv = partnerdesk(['report', '--from', day(-1), '--to', day(1), '--by', 'partner',
    '--measures', 'clicks,unique_clicks,registrations']);
  assert.equal(csv.trim(), 'partner,clicks,unique_clicks,registrations\nP1,1,1,1', csv);
});

test('the desktop app shows the click and the customer under the partner', { skip: !app && 'PARTNERDESK_E2E_APP is not set' }, async () => {
  driver = await startDriver({ databaseUrl: () => db });
  desktop = await Session.create(driver.base, app);
  const d = desktop;
  await d.waitText('header-user', /\S/, 30000);
  await d.click('nav-partners');
  await d.click('partner-row-P1');
  await d.waitText('partner-title', 'Partner one');
  await d.waitText('link-clicks-AF1', /^1$/, 20000);
  await d.waitText('link-unique-AF1', /^1$/);
  await d.screenshot(shots, 'tracking-02-partner-links');

  await d.click('nav-customers');
  await d.type('customer-filter-partner', 'P1');
  await d.waitText('customer-total', /^1 customers?$/, 20000);
  await d.click(`customer-row-${CUSTOMER}`);
  await d.waitText('customer-title', CUSTOMER, 20000);
  await d.waitText('customer-attribution', 'P1');
  await d.screenshot(shots, 'tracking-03-customer');
});

test('the server stops on SIGTERM with exit 0: no click was dropped', async () => {
  const code = await serve.stop();
  assert.equal(code, 0, serveLog.join(''));
  assert.equal(clickCounts()['/AF1']?.clicks, 1, 'the click is still there, once');
});
