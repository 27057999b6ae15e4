// The SockJS bridge from real pages in headless Chromium: examples/browser/sockjs.html
// (@vertx/eventbus-bridge-client.js) and sockjs-vertx3.html (vertx3-eventbus-client), each over
// sockjs-client, served from an origin listed in http.cors.allowedOrigins; and the same page from
// an origin that is not. Run by BrowserSockJsIT against a live node:
//
//   SYNCBUS_HTTP=http://127.0.0.1:PORT SYNCBUS_QUEUE=Q SYNCBUS_PK=id SYNCBUS_PAGE_PORT=PAGE_PORT \
//   SYNCBUS_TOKEN=… SYNCBUS_TOKEN_SUBSCRIBE_ONLY=… SYNCBUS_TOKEN_EXPIRED=… \
//   node --test src/test/node/browser/sockjs.test.mjs
//
// (the node lists http://127.0.0.1:PAGE_PORT in http.cors.allowedOrigins).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { servePages } from './pages.mjs';
import { QueueHttp, pageState } from './queue-http.mjs';
import { env } from '../support.mjs';

const HTTP = env('SYNCBUS_HTTP');
const QUEUE = env('SYNCBUS_QUEUE');
const PK = env('SYNCBUS_PK');
const TOKEN = env('SYNCBUS_TOKEN');
const TOKEN_SUBSCRIBE_ONLY = env('SYNCBUS_TOKEN_SUBSCRIBE_ONLY');
const TOKEN_EXPIRED = env('SYNCBUS_TOKEN_EXPIRED');
const PAGES = [
  { file: 'sockjs.html', client: '@vertx/eventbus-bridge-client.js' },
  { file: 'sockjs-vertx3.html', client: 'vertx3-eventbus-client' },
];

/** A test that waits on nothing longer than WAIT_MS at a time ends well within this, or is cancelled. */
const BOUNDED = { timeout: 30_000 };

const queue = new QueueHttp(HTTP, QUEUE, TOKEN);
let allowed;
let elsewhere;
let chromium;

before(async () => {
  allowed = await servePages(Number(env('SYNCBUS_PAGE_PORT')));
  elsewhere = await servePages(0);
  chromium = await launchChromium();
});

after(async () => {
  try {
    await chromium?.close();
  } finally {
    await Promise.all([allowed?.close(), elsewhere?.close()]);
  }
});

function pageUrl(origin, file, token) {
  return `${origin}/${file}#${new URLSearchParams({ node: `${HTTP}/eventbus`, queue: QUEUE, pk: PK, token })}`;
}

/** Opens `file` from the allowed origin with `token`; resolves once the bridge is open. */
async function openBridgePage(file, token) {
  const page = await chromium.open(pageUrl(allowed.origin, file, token));
  await page.until('the event bus to open', () => window.syncbus.status === 'open');
  // sockjs-client tries WebSocket first and falls back to XHR transports only where it fails.
  assert.equal(await page.evaluate(() => window.syncbus.transport), 'websocket');
  return page;
}

/** Waits until the page holds batch `seq`, then checks that its records are the queue's. */
async function pageFollowsQueue(page, seq) {
  await page.until(`the page to hold batch ${seq}`, (n) => window.syncbus.state.seq === n, seq);
  assert.deepEqual(await pageState(page), await queue.state(), "the page's state is the queue's");
}

let nextId = 1;
const update = (extra) => ({ type: 'update', data: { [PK]: nextId++, ...extra } });

for (const { file, client } of PAGES) {
  test(`${file} (${client}) follows the queue, asks for its snapshot and publishes, from an allowed origin`, BOUNDED, () =>
    chromium.recording(`${file}-follows`, async () => {
      const page = await openBridgePage(file, TOKEN);
      await pageFollowsQueue(page, (await queue.state()).seq);

      const created = [update({ name: 'ada' }), update({ name: 'grace' })];
      const { reply } = await page.evaluate((batch) => window.syncbus.publish(batch), created);
      assert.equal(reply?.epoch, (await queue.state()).epoch, `the reply ${JSON.stringify(reply)} names the epoch`);
      await pageFollowsQueue(page, reply.seq);

      await queue.publish([update({ via: 'http' })]);
      await pageFollowsQueue(page, (await queue.state()).seq);

      // Through the page's own form this time: a delete and a new record.
      const changed = [{ type: 'delete', data: { [PK]: created[0].data[PK] } }, update({ name: 'hedy' })];
      await page.fill('form textarea', JSON.stringify(changed));
      await page.click('form button');
      await pageFollowsQueue(page, reply.seq + 2);

      const snapshot = await page.evaluate(() => window.syncbus.snapshot());
      assert.equal(snapshot.reply?.seq, reply.seq + 2, 'a snapshot asked again is the same state');
      assert.deepEqual(await page.evaluate(() => [window.syncbus.refusals, window.syncbus.gaps]), [[], 0]);
      page.expectProblems();
    }));

  test(`${file} (${client}): refusals reach the page's callbacks with their codes, and nothing refused is applied`, BOUNDED, () =>
    chromium.recording(`${file}-refusals`, async () => {
      const page = await openBridgePage(file, TOKEN);
      await pageFollowsQueue(page, (await queue.state()).seq);
      const before = await queue.state();

      const publishWith = (token) => page.evaluate(([batch, jwt]) => window.syncbus.publish(batch, jwt),
        [[update({ refused: true })], token]);
      const noRight = await publishWith(TOKEN_SUBSCRIBE_ONLY);
      assert.equal(noRight.refusal?.failureCode, 403, `publishing without the right: ${JSON.stringify(noRight)}`);
      const expiredPublish = await publishWith(TOKEN_EXPIRED);
      assert.equal(expiredPublish.refusal?.failureCode, 401, `publishing with an expired token: ${JSON.stringify(expiredPublish)}`);
      assert.deepEqual(await queue.state(), before, 'nothing refused was applied');

      const expired = await openBridgePage(file, TOKEN_EXPIRED);
      await expired.until('the registration and the snapshot to be refused', () => window.syncbus.refusals.length === 2);
      const refusals = await expired.evaluate(() => window.syncbus.refusals);
      assert.deepEqual(refusals.map(({ address, failureCode }) => [address, failureCode]).sort(),
        [[`syncbus.${QUEUE}.snapshot`, 401], [`syncbus.${QUEUE}.updates`, 401]], JSON.stringify(refusals));
      assert.equal(await expired.evaluate(() => window.syncbus.status), 'open', 'the connection stays open');

      // The connection that carried the refused frames still carries batches.
      await queue.publish([update({ after: 'refusals' })]);
      await pageFollowsQueue(page, before.seq + 1);
      page.expectProblems();
      expired.expectProblems();
    }));
}

test('a page of an origin not in http.cors.allowedOrigins cannot open the bridge, and sees it closed', BOUNDED, () =>
  chromium.recording('sockjs-origin-refused', async () => {
    const page = await chromium.open(pageUrl(elsewhere.origin, 'sockjs.html', TOKEN));
    await page.until('the event bus to close', () => window.syncbus.status.startsWith('closed'));
    // The node answers 403 without CORS headers: the browser blocks the answer and says why.
    page.expectProblems({ required: [
      /^Access to XMLHttpRequest at '[^']+\/eventbus\/info\?[^']*' from origin '[^']+' has been blocked by CORS policy/,
      /^Failed to load resource: net::ERR_FAILED/,
    ] });
    assert.equal(await page.evaluate(() => window.syncbus.state.epoch), null);
  }));
