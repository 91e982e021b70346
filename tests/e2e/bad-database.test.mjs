// The app opens even when its database cannot be: Settings shows why (issue 2,
// bad input). One app per case, each with its own environment.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session, startDriver } from './webdriver.mjs';

const app = process.env.PARTNERDESK_E2E_APP;
const shots = process.env.PARTNERDESK_E2E_SCREENSHOTS;

/** Everything in the app's log files (`partnerdesk.YYYY-MM-DD.log` in the data folder's `logs/`). */
function logText(data) {
  const dir = join(data, 'logs');
  if (!existsSync(dir)) return '';
  return readdirSync(dir)
    .filter((f) => /^partnerdesk\..*\.log$/.test(f))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('');
}

async function withApp(databaseUrl, body) {
  assert.ok(app, 'PARTNERDESK_E2E_APP names the desktop binary (cargo xtask test sets it)');
  const driver = await startDriver({ databaseUrl });
  let s;
  try {
    s = await Session.create(driver.base, app);
    await body(s, driver);
  } finally {
    await s?.close();
    await driver.stop();
  }
}

test('an unreachable PostgreSQL server: the app opens and Settings says why', async () => {
  // Port 1 on localhost: nothing listens there, so the connection is refused at once.
  await withApp(() => 'postgres://partnerdesk:hunter2@127.0.0.1:1/partnerdesk', async (s, driver) => {
    // The frame waits for the session, which waits for the database to fail to open (up to 10 s).
    await s.byTestId('nav-settings', 30000);
    await s.click('nav-settings');
    await s.waitText('db-backend', 'postgres');
    const error = await s.waitText('db-error', /cannot reach/i);
    const location = await s.text('db-location');
    assert.doesNotMatch(`${error} ${location}`, /hunter2/, 'the password is never shown');
    await s.screenshot(shots, '10-unreachable-postgres');
    // The log file in the app's log folder says so too, without the password.
    const log = logText(driver.data);
    assert.match(log, /Partnerdesk started; logs in/, 'the app notes its start in its log file');
    assert.match(log, /WARN .*the database postgres:\/\/partnerdesk:[^@]*@127\.0\.0\.1:1\/partnerdesk could not be opened/, 'the failure is logged with the location redacted');
    assert.doesNotMatch(log, /hunter2/, 'the password never reaches the log');
  });
});

test('a file that is not a SQLite database: the app opens and Settings says so', async () => {
  await withApp(
    (dir) => {
      const file = join(dir, 'notes.txt');
      writeFileSync(file, 'these are notes, not a database\n'.repeat(10));
      return `sqlite:${file}`;
    },
    async (s) => {
      await s.click('nav-settings');
      await s.waitText('db-error', /not a Partnerdesk \(SQLite\) database/);
      await s.screenshot(shots, '11-not-sqlite');
    },
  );
});
