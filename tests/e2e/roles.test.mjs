// Sign-in and roles end to end (issue 6): a database with users asks who is
// there; a viewer sees no action it may not take, finance sees the period
// actions but cannot create partners, and the core refuses what the UI hides.
// Users are made with the CLI first (single-user mode → the first admin, who
// then adds a viewer and a finance user).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
  dir = mkdtempSync(join(tmpdir(), 'partnerdesk-e2e-team-'));
  partnerdesk(['import', 'tests/fixtures/scenario-a']);
  partnerdesk(['commissions', 'run', '--period', '2026-07']);
  partnerdesk(['users', 'add', 'alice', '--name', 'Alice Admin', '--roles', 'admin'], { PARTNERDESK_NEW_PASSWORD: 'alice-password-1' });
  const asAlice = { PARTNERDESK_USER: 'alice', PARTNERDESK_PASSWORD: 'alice-password-1' };
  partnerdesk(['users', 'add', 'vera', '--name', 'Vera Viewer', '--roles', 'viewer'], { ...asAlice, PARTNERDESK_NEW_PASSWORD: 'vera-password-1' });
  partnerdesk(['users', 'add', 'finn', '--name', 'Finn Finance', '--roles', 'finance'], { ...asAlice, PARTNERDESK_NEW_PASSWORD: 'finn-password-1' });
  driver = await startDriver({ databaseUrl: () => `sqlite:${join(dir, 'team.db')}` });
  s = await Session.create(driver.base, app);
});

after(async () => {
  await s?.close();
  await driver?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(user, password) {
  await s.type('signin-user', user);
  await s.type('signin-password', password);
  await s.click('signin-submit');
}

/** The sign-in screen is up and settled (the first render may be replaced while the session loads). */
async function signInScreen() {
  await s.byTestId('signin-user', 30000);
  await new Promise((r) => setTimeout(r, 1500));
  await s.byTestId('signin-user', 10000);
}

/** Calls a core command from the window, as the UI would, and returns its error code (or "ok"). */
async function invokeCode(command, args) {
  return s.executeAsync(`
    const done = arguments[arguments.length - 1];
    window.__TAURI_INTERNALS__.invoke(${JSON.stringify(command)}, ${JSON.stringify(args)})
      .then(() => done('ok'), (e) => done((e && e.code) || String(e)));
  `);
}

test('a viewer signs in and sees no action it may not take', async () => {
  await signInScreen();
  await s.screenshot(shots, 'roles-00-sign-in');
  assert.equal(await invokeCode('brands_list', {}), 'sign_in_required');

  await signIn('vera', 'wrong-password');
  await s.waitText('signin-error', 'wrong');
  await s.screenshot(shots, 'roles-00b-wrong-password');
  await signIn('vera', 'vera-password-1');
  await s.waitText('header-user', 'vera', 20000);

  await s.click('nav-partners');
  await s.byTestId('partner-total', 20000);
  assert.equal(await s.count('partner-new'), 0, 'a viewer is not offered New partner');
  await s.screenshot(shots, 'roles-01-viewer-partners');

  await s.click('nav-commissions');
  await s.byTestId('period-select', 20000).catch(() => {});
  assert.equal(await s.count('commissions-run'), 0, 'a viewer is not offered a run');
  assert.equal(await s.count('commissions-close'), 0, 'a viewer is not offered closing');
  assert.equal(await s.count('nav-audit'), 0);
  await s.screenshot(shots, 'roles-02-viewer-commissions');

  // What the UI hides, the core refuses.
  const code = await invokeCode('brands_create', { input: { brand_id: 'nope', name: 'Nope', vertical: 'igaming', currency: 'EUR' } });
  assert.equal(code, 'forbidden');
});

test('finance signs in after the viewer signs out and may run periods but not create partners', async () => {
  await s.click('signout');
  await signInScreen();
  await signIn('finn', 'finn-password-1');
  await s.waitText('header-user', 'finn', 20000);

  await s.click('nav-commissions');
  await s.byTestId('commissions-run', 20000);
  await s.screenshot(shots, 'roles-03-finance-commissions');

  await s.click('nav-partners');
  await s.byTestId('partner-total', 20000);
  assert.equal(await s.count('partner-new'), 0, 'finance is not offered New partner');
  await s.screenshot(shots, 'roles-04-finance-partners');
});
