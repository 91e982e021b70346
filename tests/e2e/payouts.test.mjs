// Payouts end to end (issue 5): a payout run made with the CLI (scenario A,
// July closed, three partners with payment details) shows on the Payouts
// page with its totals per currency; its detail lists the payments and the
// partners held back with their reasons; the partner page shows the balance.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

function partnerdesk(args) {
  return execFileSync(cli, args, {
    env: { ...process.env, PARTNERDESK_DATABASE_URL: `sqlite:${join(dir, 'payouts.db')}`, PARTNERDESK_DATA_DIR: dir },
    encoding: 'utf8',
  });
}

before(async () => {
  assert.ok(app, 'PARTNERDESK_E2E_APP names the desktop binary (cargo xtask test sets it)');
  assert.ok(cli, 'PARTNERDESK_E2E_CLI names the partnerdesk CLI binary (cargo xtask test sets it)');
  dir = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-payouts-'));
  partnerdesk(['import', 'tests/fixtures/scenario-a']);
  partnerdesk(['commissions', 'run', '--period', '2026-08']);
  partnerdesk(['commissions', 'close', '--period', '2026-07']);
  for (const p of ['P0009', 'P0010', 'P0011']) {
    partnerdesk(['payouts', 'details', '--partner', p, '--method', 'e_wallet', '--holder', 'skrill', '--account', `${p}@example.com`]);
  }
  const out = partnerdesk(['payouts', 'create', '--period', '2026-07']);
  assert.match(out, /run 1 · draft/);
  driver = await startDriver({ databaseUrl: () => `sqlite:${join(dir, 'payouts.db')}` });
  s = await Session.create(driver.base, app);
});

after(async () => {
  await s?.close();
  await driver?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a run created with the CLI is on the Payouts page with its payments and held partners', async () => {
  await s.waitText('header-user', /\S/, 30000);
  await s.click('nav-payouts');
  await s.waitText('run-state-1', 'draft', 20000);
  await s.waitText('run-1-total-EUR', '159.98 EUR');
  await s.waitText('run-1-total-USD', '130.80 USD');
  await s.screenshot(shots, 'payouts-01-runs');
  await s.click('run-open-1');
  await s.waitText('run-detail-state', 'draft');
  await s.waitText('item-P0009-EUR', '107.90');
  await s.waitText('held-reason-P0026-EUR', 'no payment details on file');
  await s.waitText('held-reason-P0024-GBP', 'partner is suspended');
  await s.waitText('run-total-USD', '130.80');
  // Single-user mode: every role, so the draft's actions are offered.
  await s.byTestId('run-submit');
  await s.screenshot(shots, 'payouts-02-run-detail');

  // Statements for this run: a folder that cannot be written is refused clearly…
  writeFileSync(join(dir, 'a-file'), 'x');
  await s.type('statements-folder', join(dir, 'a-file', 'statements'));
  await s.click('statements-write');
  await s.waitText('statements-folder-error', 'cannot write statements into', 20000);
  // …a good one gets one PDF per payment.
  const folder = join(dir, 'statements');
  await s.type('statements-folder', folder);
  await s.click('statements-write');
  await s.waitText('statements-result', 'Wrote 3 statements', 60000);
  const shown = await s.executeAsync(`arguments[arguments.length - 1](document.querySelector('[data-testid="statements-folder"]').value + ' | ' + (document.querySelector('[data-testid="statements-folder-error"]') ? 'error' : 'no error'))`);
  assert.equal(shown, `${folder} | no error`, 'the field keeps the chosen folder; the earlier error is gone');
  assert.deepEqual(readdirSync(folder).filter((f) => f.endsWith('.pdf')).length, 3);
  await s.screenshot(shots, 'payouts-03-statements');

  // The partner's Balance section: the balance from the ledger and its chart.
  await s.click('item-link-P0009-EUR');
  await s.waitText('balance-EUR', '107.90 EUR', 20000);
  await s.byTestId('balance-chart');
  await s.screenshot(shots, 'payouts-04-partner-balance');
});
