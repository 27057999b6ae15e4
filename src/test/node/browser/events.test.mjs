// Server-sent events in a real Chromium: examples/browser/events.html follows a queue with the
// browser's own EventSource (token in access_token) from an origin listed in
// http.cors.allowedOrigins, and its state stays the queue's through a lost connection (the
// browser resumes with Last-Event-ID) and a restart of the node, a real process stopped with
// SIGTERM and started again (a new epoch: the page gets a snapshot with "reset"), never a silent
// gap; a page of an origin that is not listed sees its stream refused. Run by BrowserEventSourceIT:
//
//   SYNCBUS_NODE_COMMAND='["java","-jar","target/syncbus.jar","-conf","syncbus.json"]' \
//   SYNCBUS_NODE_LOG=node.log SYNCBUS_HTTP=http://127.0.0.1:PORT SYNCBUS_QUEUE=Q SYNCBUS_PK=id \
//   SYNCBUS_TOKEN=… SYNCBUS_PAGE_PORT=PAGE_PORT node --test src/test/node/browser/events.test.mjs
//
// (the node listens on PORT, lists http://127.0.0.1:PAGE_PORT in http.cors.allowedOrigins, loads
// an initial backlog from a file, and accepts the JWT SYNCBUS_TOKEN to publish and subscribe on Q).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from './chromium.mjs';
import { env } from '../support.mjs';
import { startNode } from './node-process.mjs';
import { servePages } from './pages.mjs';
import { QueueHttp, pageState } from './queue-http.mjs';
import { cuttableProxy } from './tcp-proxy.mjs';

const COMMAND = JSON.parse(env('SYNCBUS_NODE_COMMAND'));
const NODE_LOG = env('SYNCBUS_NODE_LOG');
const HTTP = env('SYNCBUS_HTTP');
const QUEUE = env('SYNCBUS_QUEUE');
const PK = env('SYNCBUS_PK');
const TOKEN = env('SYNCBUS_TOKEN');

/** A test that waits on nothing longer than WAIT_MS at a time ends well within this, or is cancelled. */
const BOUNDED = { timeout: 30_000 };
/** The same for the restart, which also waits for the node to stop and to start. */
const RESTART_BOUNDED = { timeout: 80_000 };
/** What Chromium logs when the stream breaks off, or cannot reach the node (while it restarts). */
const STREAM_LOST = /^Failed to load resource: net::ERR_\w+ \(http:\/\/[^/]+\/queues\/\w+\/events\?/;
/** What Chromium logs when the node refuses the page's origin (403 without CORS headers). */
const CORS_BLOCKED = /^Access to resource at '[^']+\/events\?[^']*' from origin '[^']+' has been blocked by CORS policy/;

const queue = new QueueHttp(HTTP, QUEUE, TOKEN);
let node;
let proxy;
let allowed;
let elsewhere;
let chromium;
/** events.html, open through every test but the last; it reaches the node through `proxy`. */
let page;

before(async () => {
  node = await startNode(COMMAND, HTTP, NODE_LOG);
  proxy = await cuttableProxy(Number(new URL(HTTP).port));
  allowed = await servePages(Number(env('SYNCBUS_PAGE_PORT')));
  elsewhere = await servePages(0);
  chromium = await launchChromium();
  page = await chromium.open(pageUrl(allowed.origin, proxy.url));
});

after(async () => {
  try {
    await chromium?.close();
  } finally {
    node?.kill();
    await Promise.all([proxy?.close(), allowed?.close(), elsewhere?.close()]);
  }
});

function pageUrl(origin, nodeUrl) {
  return `${origin}/events.html#${new URLSearchParams({ node: nodeUrl, queue: QUEUE, pk: PK, token: TOKEN })}`;
}

/** Waits until the page holds batch `seq`, then checks that its state is the queue's. */
async function pageFollowsQueue(seq) {
  await page.until(`the page to hold batch ${seq}`, (n) => window.syncbus.state.seq === n, seq);
  assert.deepEqual(await pageState(page), await queue.state(), "the page's state is the queue's");
}

/** How the page's streams began, in order; and that it never found a batch missing. */
async function starts() {
  assert.equal(await page.evaluate(() => window.syncbus.gaps), 0, 'no batch found missing');
  return page.evaluate(() => window.syncbus.starts);
}

let nextId = 1;
const update = (extra) => ({ type: 'update', data: { [PK]: nextId++, ...extra } });

test('events.html from an allowed origin gets the snapshot, then every batch', BOUNDED, () =>
  chromium.recording('events-follows', async () => {
    const initial = await queue.state();
    assert.ok(initial.records.length > 0, 'the queue starts with its initial backlog');
    await pageFollowsQueue(initial.seq);

    const first = update({ name: 'ada' });
    await queue.publish([first, update({ name: 'grace' })]);
    await queue.publish([{ type: 'update', data: { ...first.data, name: 'ada lovelace' } }]);
    await queue.publish([{ type: 'delete', data: { [PK]: initial.records[0][PK] } }]);
    await pageFollowsQueue(initial.seq + 3);
    assert.deepEqual(await starts(), ['snapshot']);
    page.expectProblems();
  }));

test('after a lost connection the browser resumes with Last-Event-ID, and gets exactly the batches it missed', BOUNDED, () =>
  chromium.recording('events-resumes', async () => {
    const { seq } = await queue.state();
    proxy.cut();
    await page.until('the page to see its stream lost', () => window.syncbus.status === 'reconnecting');
    // The browser waits (3 s by default) before reconnecting: these two are published meanwhile.
    await queue.publish([update({ while: 'away' })]);
    await queue.publish([update({ while: 'still away' })]);

    await page.until('the stream to resume', () => window.syncbus.starts.at(-1) === 'resumed');
    await pageFollowsQueue(seq + 2);
    assert.deepEqual(await starts(), ['snapshot', 'resumed']);
    page.expectProblems({ required: [STREAM_LOST] });
  }));

test('through a restart of the node (SIGTERM, then start) the page gets a snapshot with "reset" and follows the new history', RESTART_BOUNDED, () =>
  chromium.recording('events-restart', async () => {
    const before = await queue.state();
    assert.deepEqual(await node.stop(), { code: 0, signal: null }, 'SIGTERM stops the node cleanly');
    await page.until('the page to see its stream end', () => window.syncbus.status === 'reconnecting');
    node = await startNode(COMMAND, HTTP, NODE_LOG);

    await page.until('a snapshot with "reset"', () => window.syncbus.starts.at(-1) === 'reset');
    const restarted = await queue.state();
    assert.notEqual(restarted.epoch, before.epoch, 'a restarted node starts a new epoch');
    assert.notDeepEqual(restarted.records, before.records, 'the new history starts again from the initial backlog');
    assert.deepEqual(await pageState(page), restarted, 'the page replaced its state with the snapshot');

    await queue.publish([update({ after: 'restart' })]);
    await queue.publish([{ type: 'delete', data: { [PK]: restarted.records[0][PK] } }]);
    await pageFollowsQueue(restarted.seq + 2);
    assert.deepEqual(await starts(), ['snapshot', 'resumed', 'reset']);
    // SIGTERM ends the stream cleanly; attempts while the node is down fail, if the browser makes any.
    page.expectProblems({ tolerated: [STREAM_LOST] });
  }));

test('a page of an origin not in http.cors.allowedOrigins is refused, and sees its stream closed', BOUNDED, () =>
  chromium.recording('events-origin-refused', async () => {
    const refused = await chromium.open(pageUrl(elsewhere.origin, HTTP));
    await refused.until('the stream to be closed', () => window.syncbus.status === 'closed: refused');
    refused.expectProblems({ required: [CORS_BLOCKED, /^Failed to load resource: net::ERR_FAILED/] });
    assert.deepEqual(await refused.evaluate(() => window.syncbus.starts), []);
  }));
