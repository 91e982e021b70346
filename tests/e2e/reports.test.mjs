// Reporting end to end (issue 28): scenario A imported and computed with the
// CLI; the dashboard (first page) shows July's KPIs as `partnerdesk report`
// computes them; the reports page runs a report by partner, its totals match
// the CLI, a partner's row opens its customers and a customer's page; the
// CSV export writes the very bytes `partnerdesk report` prints.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
    env: { ...process.env, PARTNERDESK_DATABASE_URL: `sqlite:${join(dir, 'reports.db')}`, PARTNERDESK_DATA_DIR: dir },
    encoding: 'utf8',
  });
}

/** One figure of a one-row CLI report (the CSV's second line). */
function cliTotal(from, to, measure, extra = []) {
  const csv = partnerdesk(['report', '--from', from, '--to', to, '--measures', measure, ...extra]);
  const lines = csv.trimEnd().split('\n');
  return lines[1]?.split(',').at(-1) ?? '0';
}

/** Clicks the first element matching `css` in the page. */
async function clickFirst(css) {
  await s.find(css, 20000);
  await s.executeAsync(`document.querySelector(${JSON.stringify(css)}).click(); arguments[arguments.length - 1](true)`);
}

/** Waits until the figures of every element carrying `testId` add up to `want`. */
async function waitSum(testId, want, timeout = 20000) {
  const end = Date.now() + timeout;
  let seen = [];
  while (Date.now() < end) {
    seen = await s.executeAsync(
      `const done = arguments[arguments.length - 1];
       done([...document.querySelectorAll('[data-testid="${testId}"]')].map((e) => e.textContent));`,
    );
    const sum = seen.reduce((a, t) => a + Number(String(t).replace(/,/g, '')), 0);
    if (seen.length > 0 && sum === want) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${testId} never added up to ${want} (last: ${JSON.stringify(seen)})`);
}

before(async () => {
  assert.ok(app, 'PARTNERDESK_E2E_APP names the desktop binary (cargo xtask test sets it)');
  assert.ok(cli, 'PARTNERDESK_E2E_CLI names the partnerdesk CLI binary (cargo xtask test sets it)');
  dir = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-reports-'));
  partnerdesk(['import', 'tests/fixtures/scenario-a']);
  partnerdesk(['commissions', 'run', '--period', '2026-09']);
  driver = await startDriver({ databaseUrl: () => `sqlite:${join(dir, 'reports.db')}` });
  s = await Session.create(driver.base, app);
});

after(async () => {
  await s?.close();
  await driver?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the dashboard, a report with drill-down, and its export', async () => {
  await s.waitText('header-user', /\S/, 30000);
  // The dashboard is the first page: July against June.
  await s.replace('dashboard-from', '2026-07-01');
  await s.replace('dashboard-to', '2026-07-31');
  const registrations = cliTotal('2026-07-01', '2026-07-31', 'registrations');
  const ftds = cliTotal('2026-07-01', '2026-07-31', 'ftds');
  assert.notEqual(registrations, '0', 'scenario A registers customers in July');
  await s.waitText('kpi-registrations-current', registrations, 30000);
  await s.waitText('kpi-ftds-current', ftds);
  await s.waitText('dashboard-range', 'against 2026-06-01 – 2026-06-30');
  await s.byTestId('dashboard-trends');
  await s.byTestId('dashboard-top-partners');
  await s.screenshot(shots, 'reports-01-dashboard');

  // A report by partner over the quarter.
  await s.click('nav-reports');
  await s.replace('report-from', '2026-07-01');
  await s.replace('report-to', '2026-09-30');
  await s.click('report-run');
  await s.waitText('report-count', 'row', 30000);
  // The report holds an amount (deposits), so its totals come one row per
  // currency (REPORTS.md, Currencies) and each count sits in its currency's
  // row: together they are the CLI's one-figure total.
  const quarter = cliTotal('2026-07-01', '2026-09-30', 'registrations');
  await waitSum('report-total-registrations', Number(quarter));
  await s.byTestId('report-chart');
  await s.screenshot(shots, 'reports-02-report');

  // Export: the file holds exactly what the CLI prints for the same report.
  await s.click('report-export-csv');
  await s.waitText('report-export-path', 'report-2026-07-01-2026-09-30.csv', 20000);
  const path = await s.text('report-export-path');
  assert.ok(existsSync(path), `${path} was written`);
  const want = partnerdesk(['report', '--from', '2026-07-01', '--to', '2026-09-30', '--by', 'partner', '--measures', 'registrations,ftds,deposits']);
  assert.equal(readFileSync(path, 'utf8'), want, 'the export is the CLI report');
  rmSync(path, { force: true });

  // Drill-down: a partner's row → its customers → a customer's page.
  await clickFirst('[data-testid^="report-row-"][data-target]');
  await s.waitText('customer-total', 'customer', 20000);
  await s.screenshot(shots, 'reports-03-partner-customers');
  await clickFirst('[data-testid^="customer-row-"]');
  await s.waitText('customer-title', /C\d+/, 20000);
  await s.screenshot(shots, 'reports-04-customer');
});
