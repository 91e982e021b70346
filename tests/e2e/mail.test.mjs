// E-mail end to end (issue 5): in the real app, Settings → E-mail points at an
// SMTP sink on loopback (STARTTLS, a login; the password goes to a Secret
// Service keyring started here), a wrong password is reported as a refused
// login (and Send now then stops, sends nothing and keeps everything queued),
// a template is edited with its live preview, an announcement to the active
// partners is queued and, with the right password, "Send now" delivers it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { startKeyring } from './keyring.mjs';
import { Session, startDriver } from './webdriver.mjs';

const app = process.env.PARTNERDESK_E2E_APP;
const cli = process.env.PARTNERDESK_E2E_CLI;
const shots = process.env.PARTNERDESK_E2E_SCREENSHOTS;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let driver;
let s;
let dir;
let sink;
let keyring;
let port;

function partnerdesk(args) {
  return execFileSync(cli, args, {
    env: { ...process.env, PARTNERDESK_DATABASE_URL: `sqlite:${join(dir, 'mail.db')}`, PARTNERDESK_DATA_DIR: dir },
    encoding: 'utf8',
  });
}

async function startSink() {
  const bin = join(dirname(cli), 'partnerdesk-smtp-sink');
  const child = spawn(bin, ['--store', join(dir, 'sink'), '--starttls', '--ca-out', join(dir, 'ca.pem'), '--user', 'mailer', '--password', 'smtp-pass-42'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (c) => reject(new Error(`partnerdesk-smtp-sink exited (${c})`)));
  });
  return { child, port: line };
}

/** Waits until no element carries the test id (a dialog fading out would catch the next click). */
async function gone(testId) {
  const end = Date.now() + 10000;
  while ((await s.count(testId)) > 0) {
    if (Date.now() > end) throw new Error(`${testId} is still there`);
    await sleep(150);
  }
  await sleep(500);
}

/** Waits until a status chip's label in the outbox, e.g. "queued (45)", matches `want`. */
async function waitChip(status, want) {
  const label = await s.find(`[data-testid="outbox-filter-${status}"] + label`);
  let t = '';
  for (let i = 0; i < 100; i++) {
    t = (await s.cmd('GET', `/element/${label}/text`)).trim();
    if (want.test(t)) return t;
    await sleep(150);
  }
  throw new Error(`the ${status} chip never showed ${want} (last: "${t}")`);
}

before(async () => {
  assert.ok(app, 'PARTNERDESK_E2E_APP names the desktop binary (cargo xtask test sets it)');
  assert.ok(cli, 'PARTNERDESK_E2E_CLI names the partnerdesk CLI binary (cargo xtask test sets it)');
  dir = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-mail-'));
  keyring = await startKeyring(dir);
  ({ child: sink, port } = await startSink());
  partnerdesk(['import', 'tests/fixtures/scenario-a']);
  driver = await startDriver({ databaseUrl: () => `sqlite:${join(dir, 'mail.db')}` });
  s = await Session.create(driver.base, app);
});

after(async () => {
  await s?.close();
  await driver?.stop();
  sink?.kill('SIGTERM');
  keyring?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function flow() {
  await s.waitText('header-user', /\S/, 30000);
  await s.click('nav-settings');
  await s.byTestId('mail-section', 20000);
  await s.type('smtp-host', 'localhost');
  await s.type('smtp-port', port);
  await s.type('smtp-username', 'mailer');
  await s.type('smtp-password', 'not-the-password');
  await s.type('smtp-from_address', 'partners@operator.example');
  await s.type('smtp-from_name', 'Operator Ltd');
  await s.type('smtp-extra_ca_pem_path', join(dir, 'ca.pem'));
  await s.click('smtp-save');
  await s.waitText('smtp-saved', 'Saved', 10000);
  await s.click('smtp-test');
  await s.waitText('smtp-test-result', 'refused the login', 20000);
  await s.screenshot(shots, 'mail-01-refused-login');

  await s.click('nav-communication');
  await s.click('tab-templates');
  await s.click('template-statement_ready');
  await s.waitText('preview-subject', 'Your statement for 2026-07', 10000);
  // An unknown variable is refused at the field; a good edit shows in the preview and is saved.
  await s.type('template-subject', 'Statement {{ partner.nmae }}');
  await s.click('template-save');
  await s.waitText('template-error-subject', 'partner.nmae', 10000);
  await s.type('template-subject', 'Statement {{ period }} is ready');
  await s.waitText('preview-subject', 'Statement 2026-07 is ready', 10000);
  await s.click('template-save');
  for (let i = 0; i < 50 && !partnerdesk(['mail', 'templates', 'show', 'statement_ready']).includes('Statement {{ period }} is ready'); i++) {
    await sleep(200);
  }
  assert.match(partnerdesk(['mail', 'templates', 'show', 'statement_ready']), /Statement \{\{ period \}\} is ready/);

  await s.click('tab-announcements');
  await s.waitText('segment-count', /\d+ partners?, \d+ with e-mail/, 10000);
  const count = await s.text('segment-count');
  const withEmail = Number(/(\d+) with e-mail/.exec(count)[1]);
  assert.ok(withEmail > 0, count);
  await s.type('announce-subject', 'Hello {{ partner.name }}');
  await s.waitText('preview-subject', 'Hello Zoë Šťastná', 10000);
  await s.click('announce-send');
  await s.click('announce-confirm-send');
  await gone('announce-confirm-send');
  await s.waitText('announce-queued', `Queued ${withEmail} message`, 10000);

  // Still the wrong password: Send now stops at the refused login, nothing reaches the sink
  // and every message stays queued.
  const sinkDir = join(dir, 'sink');
  const inSink = () => (existsSync(sinkDir) ? readdirSync(sinkDir).filter((f) => f.endsWith('.eml')) : []);
  await s.click('tab-outbox');
  await s.click('outbox-send-now');
  await s.waitText('outbox-stopped', 'refused the login', 20000);
  assert.deepEqual(inSink(), []);
  await waitChip('queued', new RegExp(`queued \\(${withEmail}\\)`));
  await s.screenshot(shots, 'mail-02-stopped');

  // The right password; Send now delivers.
  await s.click('nav-settings');
  await s.byTestId('mail-section', 20000);
  await s.type('smtp-password', 'smtp-pass-42');
  await s.click('smtp-save');
  await s.waitText('smtp-saved', 'Saved', 10000);
  await s.click('smtp-test');
  await s.waitText('smtp-test-result', 'logged in', 20000);
  await s.click('nav-communication');
  await s.click('tab-outbox');
  await s.click('outbox-send-now');
  let files = [];
  for (let i = 0; i < 200 && files.length < withEmail; i++) {
    files = inSink();
    await sleep(150);
  }
  // The outbox shows them as sent.
  // A Mantine chip's input is hidden: its label is what takes the click.
  const chip = await s.find('[data-testid="outbox-filter-sent"] + label');
  await s.cmd('POST', `/element/${chip}/click`, {});
  await s.waitText('outbox-table', 'Hello ', 20000);
  await s.screenshot(shots, 'mail-03-sent');
  await waitChip('sent', new RegExp(`sent \\(${withEmail}\\)`));
  await waitChip('queued', /queued \(0\)/);
  assert.equal(files.length, withEmail, 'every partner of the segment with an address got the announcement');
  const first = readFileSync(join(dir, 'sink', files[0]), 'utf8');
  assert.match(first, /Subject: Hello /);
  assert.match(first, /From: .*partners@operator\.example/);
}

test('SMTP settings, a refused login that sends nothing, a template edited with its preview, an announcement sent to the sink', async () => {
  try {
    await flow();
  } catch (e) {
    await s.screenshot(shots, 'mail-failed').catch(() => {});
    throw e;
  }
});
