// The console (README, "Console") in Debian's Chromium, headless, driven by puppeteer-core (no
// browser download). Run by ConsoleBrowserIT against a live node:
//
//   SYNCBUS_HTTP=http://127.0.0.1:PORT SYNCBUS_ADMIN_TOKEN=… SYNCBUS_QUEUE=rooms \
//   SYNCBUS_BATCH='[{"type":"update","data":{"id":"K",…}}]' SYNCBUS_BATCH_TOKEN=… SYNCBUS_BATCH_KEY=K \
//   SYNCBUS_SCREENSHOT=target/console.png node --test src/test/node/console/console.test.mjs
//
// The batch published from outside comes ready to send, with its time token (valid for
// auth.timeTokens.ttlSeconds), and the key of its record.
//
// One scenario, step by step: a wrong credential is refused with a visible message, the admin
// token logs in, the queues show, a batch published from outside appears in the record table
// (waited for, at most 5 s), the session cookie is HttpOnly and SameSite=Strict, a screenshot is
// saved, logging out clears the cookie; no console error, no page error, no request to another
// origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';

const HTTP = process.env.SYNCBUS_HTTP;
const ADMIN_TOKEN = process.env.SYNCBUS_ADMIN_TOKEN;
const QUEUE = process.env.SYNCBUS_QUEUE;
const BATCH = process.env.SYNCBUS_BATCH;
const BATCH_TOKEN = process.env.SYNCBUS_BATCH_TOKEN;
const BATCH_KEY = process.env.SYNCBUS_BATCH_KEY;
const SCREENSHOT = process.env.SYNCBUS_SCREENSHOT;
const CHROMIUM = process.env.SYNCBUS_CHROMIUM ?? '/usr/bin/chromium';
const ROW_MS = 5_000;
const STEP_MS = 10_000;
const CONSOLE = `${HTTP}/console/`;

/** Publishes the batch the way any client does: POST /queues/Q/update with its time token. */
async function publish() {
  const body = new URLSearchParams({ data: BATCH, hmac: BATCH_TOKEN });
  const reply = await fetch(`${HTTP}/queues/${QUEUE}/update`, { method: 'POST', body, signal: AbortSignal.timeout(STEP_MS) });
  assert.equal(reply.status, 200, await reply.text());
}

async function visible(page, selector) {
  await page.waitForSelector(selector, { visible: true, timeout: STEP_MS });
}

test('the console logs an admin in and shows the queues and a batch published from outside, live', async () => {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-default-browser-check'],
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    const errors = [];
    const expected401 = [];
    const foreign = [];
    page.on('console', (message) => {
      if (message.type() !== 'error') {
        return;
      }
      const where = message.location()?.url ?? '';
      // The refused login answers 401, which Chromium reports as a failed resource: expected once.
      if (message.text().includes('status of 401') && where.endsWith('/console/api/login')) {
        expected401.push(message.text());
      } else {
        errors.push(`${message.text()} (${where})`);
      }
    });
    page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(HTTP + '/') && !url.startsWith('data:')) {
        foreign.push(url);
      }
    });

    await page.goto(CONSOLE, { waitUntil: 'load', timeout: STEP_MS });
    await visible(page, '#login-view');

    // A wrong credential: refused, with a message the user sees, and no cookie.
    await page.type('#credential', 'not-the-admin-token-0123456789');
    await page.click('#login button[type=submit]');
    await visible(page, '#login-error');
    const refusal = await page.$eval('#login-error', (node) => node.textContent);
    assert.match(refusal, /401/, refusal);
    assert.equal((await browser.cookies()).filter((cookie) => cookie.name === 'syncbus_console').length, 0);

    // The admin token: the console, with the node's queues.
    await page.type('#credential', ADMIN_TOKEN);
    await page.click('#login button[type=submit]');
    await visible(page, '#console-view');
    await visible(page, `#queues tr[data-queue="${QUEUE}"]`);
    assert.equal(await page.$eval('#login-view', (node) => node.hidden), true);

    const [session] = (await browser.cookies()).filter((cookie) => cookie.name === 'syncbus_console');
    assert.ok(session, 'the login set the session cookie');
    assert.equal(session.httpOnly, true, 'the session cookie is HttpOnly');
    assert.equal(session.sameSite, 'Strict', 'the session cookie is SameSite=Strict');
    assert.equal(session.path, '/console/');
    assert.equal(await page.evaluate(() => document.cookie.includes('syncbus_console')), false,
      "the page's script cannot read the session");

    // A batch from outside shows up in the selected queue's record table, as it arrives.
    await page.click(`#queues tr[data-queue="${QUEUE}"]`);
    await page.waitForFunction((queue) => document.getElementById('records-queue').textContent === queue,
      { timeout: STEP_MS }, QUEUE);
    const key = BATCH_KEY;
    const published = Date.now();
    await publish();
    await page.waitForFunction((id) => document.querySelector(`#records tr[data-key="${id}"]`) !== null,
      { timeout: ROW_MS, polling: 50 }, key);
    const row = await page.$eval(`#records tr[data-key="${key}"]`, (tr) => tr.textContent);
    assert.ok(row.includes(key), row);
    console.log(`the published record appeared after ${Date.now() - published} ms`);
    await page.waitForFunction((id) => document.getElementById('batches').textContent.includes(id),
      { timeout: ROW_MS }, key);

    // Filtered on the server: only the matching record.
    const all = await page.$$eval('#records tr[data-key]', (rows) => rows.length);
    assert.ok(all > 1, `the queue holds other records too (${all})`);
    await page.select('#filter-field', 'text');
    await page.type('#filter-value', key.toUpperCase());
    await page.waitForFunction(() => document.querySelectorAll('#records tr[data-key]').length === 1,
      { timeout: STEP_MS });
    await page.click('#filter-value', { count: 3 });
    await page.keyboard.press('Backspace');
    await page.waitForFunction((count) => document.querySelectorAll('#records tr[data-key]').length === count,
      { timeout: STEP_MS }, all);

    if (SCREENSHOT) {
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    }

    // Logging out ends the session: the login again, the cookie gone.
    await page.click('#logout');
    await visible(page, '#login-view');
    assert.equal((await browser.cookies()).filter((cookie) => cookie.name === 'syncbus_console').length, 0);

    assert.deepEqual(errors, [], 'no console error, no page error');
    assert.ok(expected401.length <= 1, expected401.join('\n'));
    assert.deepEqual(foreign, [], 'no request to anything but the node');
  } finally {
    await browser.close();
  }
});
