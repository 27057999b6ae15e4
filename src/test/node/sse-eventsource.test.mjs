// syncbus's server-sent events seen by the `eventsource` npm package, which implements the
// browser's EventSource for Node (the same parser rules, the same Last-Event-ID reconnection).
// Run by EventSourceNodeIT against a live node:
//
//   SYNCBUS_HTTP=http://127.0.0.1:PORT SYNCBUS_SUBSCRIBE_SECRET=… SYNCBUS_PUBLISH_SECRET=… \
//   node --test src/test/node/sse-eventsource.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';

const EventSource = createRequire(import.meta.url)('eventsource');
const HTTP = process.env.SYNCBUS_HTTP;
const SUB = process.env.SYNCBUS_SUBSCRIBE_SECRET;
const PUB = process.env.SYNCBUS_PUBLISH_SECRET;
const WAIT_MS = 10_000;

function token(secret, message) {
  const ts = Math.floor(Date.now() / 1000).toString();
  return ts + ':' + createHmac('sha256', secret).update(message + ts).digest('hex');
}

async function publish(batch) {
  const data = JSON.stringify(batch);
  const body = new URLSearchParams({ data, hmac: token(PUB, data) });
  const reply = await fetch(`${HTTP}/update`, { method: 'POST', body, signal: AbortSignal.timeout(WAIT_MS) });
  assert.equal(reply.status, 200, await reply.text());
}

/** The next `count` events of the named types, in arrival order. */
function collect(source, types, count) {
  return new Promise((resolve, reject) => {
    const seen = [];
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of ${count} events in ${WAIT_MS} ms`)), WAIT_MS);
    for (const type of types) {
      source.addEventListener(type, (event) => {
        seen.push({ type, id: event.lastEventId, data: JSON.parse(event.data) });
        if (seen.length === count) {
          clearTimeout(timer);
          resolve(seen);
        }
      });
    }
    source.onerror = (error) => {
      if (source.readyState === EventSource.CLOSED) {
        clearTimeout(timer);
        reject(new Error(`event stream failed: ${error.status ?? error.message}`));
      }
    };
  });
}

test('an EventSource receives the snapshot, then every batch with its id', async () => {
  await publish([{ type: 'update', data: { id: 1, name: 'ada' } }]);
  const source = new EventSource(`${HTTP}/events?hmac=${encodeURIComponent(token(SUB, 'None'))}`);
  try {
    const events = collect(source, ['snapshot', 'batch'], 3);
    await new Promise((resolve) => { source.onopen = resolve; });
    await publish([{ type: 'update', data: { id: 2 } }]);
    await publish([{ type: 'delete', data: { id: 1 } }]);
    const [snapshot, first, second] = await events;
    assert.equal(snapshot.type, 'snapshot');
    const [epoch, seq] = snapshot.id.split(':');
    assert.equal(snapshot.data.epoch, epoch);
    assert.equal(snapshot.data.seq, Number(seq));
    assert.deepEqual(snapshot.data.snapshot.map((u) => u.data.id).includes(1), true);
    assert.equal(first.type, 'batch');
    assert.equal(first.id, `${epoch}:${Number(seq) + 1}`);
    assert.deepEqual(first.data, { seq: Number(seq) + 1, batch: [{ type: 'update', data: { id: 2 } }] });
    assert.equal(second.id, `${epoch}:${Number(seq) + 2}`, 'lastEventId follows the ids, for reconnection');
  } finally {
    source.close();
  }
});

test('an EventSource opened with Last-Event-ID resumes with exactly the missed batches', async () => {
  const first = new EventSource(`${HTTP}/events?hmac=${encodeURIComponent(token(SUB, 'None'))}`);
  const [snapshot] = await collect(first, ['snapshot'], 1);
  first.close();
  await publish([{ type: 'update', data: { id: 3 } }]);
  const resumed = new EventSource(`${HTTP}/events?hmac=${encodeURIComponent(token(SUB, 'None'))}`,
    { headers: { 'Last-Event-ID': snapshot.id } });
  try {
    const [start, missed] = await collect(resumed, ['resumed', 'snapshot', 'batch'], 2);
    assert.equal(start.type, 'resumed');
    assert.equal(start.data.resumed, true);
    assert.equal(missed.type, 'batch');
    assert.deepEqual(missed.data.batch, [{ type: 'update', data: { id: 3 } }]);
  } finally {
    resumed.close();
  }
});

test('an EventSource with a bad token is refused', async () => {
  const source = new EventSource(`${HTTP}/events?hmac=1:bad`);
  const status = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no refusal')), WAIT_MS);
    source.onerror = (error) => { clearTimeout(timer); resolve(error.status); };
  });
  source.close();
  assert.equal(status, 403);
});
