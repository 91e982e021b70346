// A payout run through four eyes in the desktop app (issue 5): finance user
// Finn creates and submits a run and is never offered its approval; above the
// two-approver threshold Bob's approval leaves it submitted (1 of 2) and
// Cara's approves it; Cara exports the payment files (CSV and SEPA XML) into
// a folder she picks and settles every payment: the run is paid.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Session, startDriver } from './webdriver.mjs';

const app = process.env.PARTNERDESK_E2E_APP;
const cli = process.env.PARTNERDESK_E2E_CLI;
const shots = process.env.PARTNERDESK_E2E_SCREENSHOTS;

let driver;
let s;
let dir;

function partnerdesk(args, env = {}) {
  return execFileSync(cli, args, {
    env: { ...process.env, PARTNERDESK_DATABASE_URL: `sqlite:${join(dir, 'team.db')}`, PARTNERDESK_DATA_DIR: dir, ...env },
    encoding: 'utf8',
  });
}

before(async () => {
  assert.ok(app, 'PARTNERDESK_E2E_APP names the desktop binary (cargo xtask test sets it)');
  assert.ok(cli, 'PARTNERDESK_E2E_CLI names the partnerdesk CLI binary (cargo xtask test sets it)');
  dir = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-payteam-'));
  partnerdesk(['import', 'tests/fixtures/scenario-a']);
  partnerdesk(['commissions', 'run', '--period', '2026-08']);
  partnerdesk(['commissions', 'close', '--period', '2026-07']);
  for (const p of ['P0009', 'P0010', 'P0011']) {
    partnerdesk(['payouts', 'details', '--partner', p, '--method', 'e_wallet', '--holder', 'skrill', '--account', `${p}@example.com`]);
  }
  partnerdesk(['payouts', 'details', '--partner', 'P0026', '--method', 'bank_transfer', '--holder', 'Zoë Šťastná',
    '--account', 'DE89370400440532013000', '--bic', 'COBADEFFXXX']);
  partnerdesk(['payouts', 'operator', '--name', 'Partnerdesk Operator Ltd', '--iban', 'GB82WEST12345698765432']);
  partnerdesk(['approvals', 'threshold', '1000']);
  partnerdesk(['users', 'add', 'alice', '--name', 'Alice Admin', '--roles', 'admin'], { PARTNERDESK_NEW_PASSWORD: 'alice-password-1' });
  const asAlice = { PARTNERDESK_USER: 'alice', PARTNERDESK_PASSWORD: 'alice-password-1' };
  for (const [u, name] of [['finn', 'Finn Finance'], ['bob', 'Bob Finance'], ['cara', 'Cara Finance']]) {
    partnerdesk(['users', 'add', u, '--name', name, '--roles', 'finance'], { ...asAlice, PARTNERDESK_NEW_PASSWORD: `${u}-password-1` });
  }
  driver = await startDriver({ databaseUrl: () => `sqlite:${join(dir, 'team.db')}` });
  s = await Session.create(driver.base, app);
});

after(async () => {
  await s?.close();
  await driver?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signInAs(user) {
  await s.byTestId('signin-user', 30000);
  await new Promise((r) => setTimeout(r, 1500));
  await s.type('signin-user', user);
  await s.type('signin-password', `${user}-password-1`);
  await s.click('signin-submit');
  await s.waitText('header-user', user, 20000);
}

/** Waits until no element carries the test id (a dialog fading out would catch the next click). */
async function gone(testId) {
  const end = Date.now() + 10000;
  while ((await s.count(testId)) > 0) {
    if (Date.now() > end) throw new Error(`${testId} is still there`);
    await new Promise((r) => setTimeout(r, 150));
  }
  await new Promise((r) => setTimeout(r, 500));
}

async function openRun(id) {
  await s.click('nav-payouts');
  await s.click(`run-open-${id}`);
  await s.byTestId('run-detail', 20000);
}

test('create, submit, two approvals, export and settle a run in the app', async () => {
  await signInAs('finn');
  await s.click('nav-payouts');
  await s.type('run-date', '2026-07-31');
  await s.click('run-create');
  await s.waitText('run-detail-state', 'draft', 20000);
  await s.waitText('run-total-EUR', '6,629.96');
  await s.click('run-submit');
  await s.waitText('run-detail-state', 'submitted', 20000);
  await s.waitText('run-four-eyes', 'another finance user');
  assert.equal(await s.count('run-approve'), 0, 'the submitter is not offered approval');
  await s.screenshot(shots, 'payteam-01-submitted');
  await s.click('signout');

  await signInAs('bob');
  await openRun(1);
  await s.waitText('run-approval-count', '0 of 2 approvals');
  await s.click('run-approve');
  await s.type('run-decide-reason', 'checked against the ledger');
  await s.click('run-decide-confirm');
  await s.waitText('run-approval-count', '1 of 2 approvals', 20000);
  await gone('run-decide-dialog');
  await s.waitText('run-detail-state', 'submitted');
  assert.equal(await s.count('run-approve'), 0, 'one approval per person');
  await s.screenshot(shots, 'payteam-02-one-of-two');
  await s.click('signout');

  await signInAs('cara');
  await openRun(1);
  await s.click('run-approve');
  await s.type('run-decide-reason', 'second look: amounts match');
  await s.click('run-decide-confirm');
  await s.waitText('run-detail-state', 'approved', 20000);
  await gone('run-decide-dialog');
  const folder = join(dir, 'payment-files');
  await s.type('run-export-folder', folder);
  await s.click('run-export-write');
  await s.waitText('run-detail-state', 'exported', 20000);
  await s.waitText('run-export-files', 'sepa-run-1.xml');
  const files = readdirSync(folder).sort();
  assert.deepEqual(files, ['payments-run-1.csv', 'sepa-run-1.xml']);
  assert.match(readFileSync(join(folder, 'sepa-run-1.xml'), 'utf8'), /DE89370400440532013000/);
  assert.equal(readFileSync(join(folder, 'payments-run-1.csv'), 'utf8').trim().split('\n').length, 5);
  await s.screenshot(shots, 'payteam-03-exported');

  for (const [p, c] of [['P0009', 'EUR'], ['P0010', 'EUR'], ['P0011', 'USD'], ['P0026', 'EUR']]) {
    await s.select(`settle-outcome-${p}-${c}`, 'paid');
    await s.type(`settle-note-${p}-${c}`, `BANK-${p}`);
  }
  // The export's toasts sit over the bottom-right corner for a few seconds: press the button itself.
  await s.executeAsync(`document.querySelector('[data-testid="settle-save"]').click(); arguments[arguments.length - 1](true);`);
  await s.waitText('run-detail-state', 'paid', 20000);
  await s.waitText('item-state-P0026-EUR', 'paid');
  await s.screenshot(shots, 'payteam-04-paid');
  const list = partnerdesk(['payouts', 'list'], { PARTNERDESK_USER: 'cara', PARTNERDESK_PASSWORD: 'cara-password-1' });
  assert.match(list, /1\s+paid/);
});
