// The desktop app end to end (issue 2): create a brand and two partners, one
// the child of the other, find the child by search, open it, see its parent.
// Run by `cargo xtask test` under Xvfb with tauri-driver and WebKitWebDriver.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Session, startDriver } from './webdriver.mjs';

const app = process.env.PARTNERDESK_E2E_APP;
const shots = process.env.PARTNERDESK_E2E_SCREENSHOTS;

let driver;
let s;

before(async () => {
  assert.ok(app, 'PARTNERDESK_E2E_APP names the desktop binary (cargo xtask test sets it)');
  driver = await startDriver();
  s = await Session.create(driver.base, app);
});

after(async () => {
  await s?.close();
  await driver?.stop();
});

async function createPartner(id, name, parent) {
  await s.click('nav-partners');
  await s.click('partner-new');
  await s.type('pf-partner-id', id);
  await s.type('pf-name', name);
  await s.select('pf-kind', 'affiliate');
  if (parent) await s.type('pf-parent', parent);
  await s.type('pf-email', `${id.toLowerCase()}@example.com`);
  await s.type('pf-country', 'DE');
  await s.type('pf-currency', 'EUR');
  await s.select('pf-status', 'active');
  await s.screenshot(shots, `02-form-${id}`);
  await s.click('pf-save');
  await s.waitText('partner-title', name);
}

test('a brand, a parent and its child; the child is found and shows its parent', async () => {
  // The frame is up once the header names the acting user (app_info answered).
  await s.waitText('header-user', /\S/, 30000);
  await s.screenshot(shots, '00-start');

  await s.click('nav-settings');
  await s.waitText('db-backend', 'sqlite');
  // The app got tauri-driver's environment: its own throw-away database.
  await s.waitText('db-location', driver.data);
  await s.type('brand-id', 'casino');
  await s.type('brand-name', 'Casino Royal');
  await s.select('brand-vertical', 'igaming');
  await s.type('brand-currency', 'EUR');
  await s.click('brand-save');
  await s.waitText('brand-row-casino', 'Casino Royal');
  await s.screenshot(shots, '01-brand');

  await createPartner('E2E-MASTER', 'Master Media', null);
  await createPartner('E2E-CHILD', 'Zoë Child Affiliate', 'E2E-MASTER');
  await s.waitText('partner-parent', 'E2E-MASTER');

  await s.click('nav-partners');
  await s.type('partner-search', 'child affiliate');
  await s.waitText('partner-total', /^1 partners?$/);
  await s.screenshot(shots, '03-search');
  await s.click('partner-row-E2E-CHILD');
  await s.waitText('partner-title', 'Zoë Child Affiliate');
  const parent = await s.waitText('partner-parent', 'E2E-MASTER');
  assert.match(parent, /Master Media/, 'the partner page names its parent');
  await s.screenshot(shots, '04-child-page');
});

test('the window may listen to progress events, and no more of the core API than that', async () => {
  const result = await s.executeAsync(`
    const done = arguments[arguments.length - 1];
    const tauri = window.__TAURI_INTERNALS__;
    const handler = tauri.transformCallback(() => {});
    tauri.invoke('plugin:event|listen', { event: 'progress', target: { kind: 'Any' }, handler })
      .then(() => tauri.invoke('plugin:window|set_title', { label: 'main', value: 'changed' })
        .then(() => done('listen: ok; set_title: allowed'), (e) => done('listen: ok; set_title: refused (' + e + ')')))
      .catch((e) => done('listen: refused (' + e + ')'));
  `);
  assert.match(result, /^listen: ok; set_title: refused/, result);
});
