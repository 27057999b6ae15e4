// syncbus's SockJS event-bus bridge seen by the third-party Node client, the npm package
// @vertx/eventbus-bridge-client.js (over sockjs-client). Run by SockJsNodeIT against a live node:
//
//   SYNCBUS_URL=http://127.0.0.1:PORT/eventbus SYNCBUS_HTTP=http://127.0.0.1:PORT SYNCBUS_QUEUE=Q \
//   SYNCBUS_TOKEN=… SYNCBUS_TOKEN_SUBSCRIBE_ONLY=… SYNCBUS_TOKEN_FORGED=… SYNCBUS_PUBLISH_SECRET=… \
//   node --test src/test/node/sockjs-bridge.test.mjs
//
// Every wait is bounded; every event bus opened is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { WAIT_MS, env, within } from './support.mjs';

const EventBus = createRequire(import.meta.url)('@vertx/eventbus-bridge-client.js');

const URL_ = env('SYNCBUS_URL');
const HTTP = env('SYNCBUS_HTTP');
const QUEUE = env('SYNCBUS_QUEUE');
const TOKEN = env('SYNCBUS_TOKEN');
const TOKEN_SUBSCRIBE_ONLY = env('SYNCBUS_TOKEN_SUBSCRIBE_ONLY');
const TOKEN_FORGED = env('SYNCBUS_TOKEN_FORGED');
const PUBLISH_SECRET = env('SYNCBUS_PUBLISH_SECRET');

const APPLY = `syncbus.${QUEUE}.apply`;
const SNAPSHOT = `syncbus.${QUEUE}.snapshot`;
const UPDATES = `syncbus.${QUEUE}.updates`;

const bearer = (token) => ({ Authorization: `Bearer ${token}` });
const update = (id, extra = {}) => ({ type: 'update', data: { id, ...extra } });

/** An open event bus; `unhandled` collects the frames no callback took (e.g. the bridge's own err frames). */
async function connect(t) {
  const eb = new EventBus(URL_);
  eb.unhandled = [];
  eb.onerror = (frame) => eb.unhandled.push(frame);
  const closed = new Promise((resolve) => { eb.onclose = resolve; });
  eb.closed = closed;
  t.after(() => closeBus(eb));
  await within(new Promise((resolve, reject) => {
    eb.onopen = resolve;
    closed.then(() => reject(new Error(`the event bus at ${URL_} closed before opening`)));
  }), `the event bus at ${URL_} to open`);
  return eb;
}

async function closeBus(eb) {
  if (eb.state === EventBus.OPEN || eb.state === EventBus.CONNECTING) {
    eb.close();
  }
  eb.enablePing(false);
  await within(eb.closed, 'the event bus to close').catch(() => {});
}

/** A request's failure: the fields of the err frame that answered it. */
class Refused extends Error {
  constructor({ failureCode, failureType, message }) {
    super(`refused (${failureCode}, ${failureType}): ${message}`);
    this.failureCode = failureCode;
    this.failureType = failureType;
    this.reason = message;
  }

  toJSON() {
    return { failureCode: this.failureCode, failureType: this.failureType, message: this.reason };
  }
}

/** Sends `body` to `address` and settles with the reply message, or rejects with the err frame's fields. */
function request(eb, address, body, headers) {
  return within(new Promise((resolve, reject) => {
    eb.send(address, body, headers, (err, reply) => (err ? reject(new Refused(err)) : resolve(reply)));
  }), `a reply from ${address}`);
}

/** The failure of a request that must fail: its err frame's fields. */
async function refusal(promise) {
  try {
    const reply = await promise;
    assert.fail(`expected a refusal, got the reply ${JSON.stringify(reply.body)}`);
  } catch (error) {
    if (!(error instanceof Refused)) {
      throw error;
    }
    return error;
  }
}

/** A batch applied through the bridge: its reply body {epoch, seq}. */
async function apply(eb, batch, token = TOKEN) {
  const reply = await request(eb, APPLY, batch, bearer(token));
  return reply.body;
}

async function snapshot(eb, token = TOKEN) {
  return (await request(eb, SNAPSHOT, {}, bearer(token))).body;
}

/** Registers on `address`; `messages` fill up as they arrive, `errors` with err frames, `next(n)` waits for n. */
function subscribe(eb, address = UPDATES, headers = bearer(TOKEN)) {
  const messages = [];
  const errors = [];
  const waiters = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) {
      waiter();
    }
  };
  eb.registerHandler(address, headers, (err, message) => {
    if (err) {
      errors.push(err);
    } else {
      messages.push(message.body);
    }
    wake();
  });
  const until = (what, done) => within(new Promise((resolve) => {
    const check = () => (done() ? resolve() : waiters.push(check));
    check();
  }), what);
  return {
    messages,
    errors,
    next: async (count) => {
      await until(`${count} messages on ${address} (got ${messages.length})`, () => messages.length >= count);
      return messages.slice(0, count);
    },
    error: async () => {
      await until(`an err frame for the registration on ${address}`, () => errors.length > 0);
      return errors[0];
    },
  };
}

/** Subscribes with the token, then makes sure the registration is in place (a round trip on the same connection). */
async function subscribed(eb) {
  const subscription = subscribe(eb);
  await snapshot(eb);
  assert.deepEqual(subscription.errors, [], 'the registration is accepted');
  return subscription;
}

/** POSTs `batch` as a publisher does over HTTP (time token signed with the publish secret). */
async function publishHttp(batch) {
  const data = JSON.stringify(batch);
  const ts = Math.floor(Date.now() / 1000).toString();
  const hmac = `${ts}:${createHmac('sha256', PUBLISH_SECRET).update(data + ts).digest('hex')}`;
  const path = QUEUE === 'default' ? '/update' : `/queues/${QUEUE}/update`;
  const response = await within(fetch(HTTP + path, {
    method: 'POST',
    body: new URLSearchParams({ data, hmac }),
    signal: AbortSignal.timeout(WAIT_MS),
  }), `POST ${path}`);
  const text = await response.text();
  assert.equal(response.status, 200, `POST ${path} answered ${response.status}: ${text}`);
}

let nextId = 1000;
const freshId = () => nextId++;

test('a batch sent to apply is answered {epoch, seq} and reaches the registered handler', async (t) => {
  const eb = await connect(t);
  const subscription = await subscribed(eb);
  const batch = [update(freshId(), { name: 'ada' }), update(freshId(), { name: 'grace' })];

  const reply = await apply(eb, batch);

  assert.deepEqual(Object.keys(reply).sort(), ['epoch', 'seq']);
  assert.equal(typeof reply.epoch, 'string');
  assert.ok(Number.isInteger(reply.seq) && reply.seq > 0, `seq ${reply.seq}`);
  const [received] = await subscription.next(1);
  assert.deepEqual(received, { epoch: reply.epoch, seq: reply.seq, batch });
  const state = await snapshot(eb);
  assert.equal(state.seq, reply.seq);
  assert.equal(state.epoch, reply.epoch);
  for (const element of batch) {
    assert.ok(state.snapshot.some((record) => record.data.id === element.data.id), `record ${element.data.id} in the snapshot`);
  }
});

test('batches from HTTP /update and from the bridge reach every bridge subscriber in one strictly increasing order', async (t) => {
  const eb = await connect(t);
  const other = await connect(t);
  const first = await subscribed(eb);
  const second = await subscribed(other);
  const before = (await snapshot(eb)).seq;

  const httpOnly = [update(freshId(), { via: 'http' })];
  await publishHttp(httpOnly);
  const [alone] = await first.next(1);
  assert.equal(alone.seq, before + 1);
  assert.deepEqual(alone.batch, httpOnly, 'a batch POSTed on /update reaches the SockJS subscriber');

  // Interleaved, all in flight at once: bridge, HTTP, bridge, HTTP, …
  const bridgeBatches = [];
  const httpBatches = [];
  const inFlight = [];
  for (let i = 0; i < 6; i++) {
    const batch = [update(freshId(), { via: i % 2 === 0 ? 'bridge' : 'http', i })];
    if (i % 2 === 0) {
      bridgeBatches.push(batch);
      inFlight.push(apply(i % 4 === 0 ? eb : other, batch));
    } else {
      httpBatches.push(batch);
      inFlight.push(publishHttp(batch));
    }
  }
  const results = await Promise.all(inFlight);
  const replies = results.filter((result, i) => i % 2 === 0);
  const total = 1 + bridgeBatches.length + httpBatches.length;
  const received = await first.next(total);
  const receivedByOther = await second.next(total);

  const seqs = received.map((message) => message.seq);
  assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => before + 1 + i),
    'seqs strictly increasing, one per batch, no gap');
  assert.deepEqual(receivedByOther, received, 'both subscribers receive the same batches in the same order');
  const bySeq = new Map(received.map((message) => [message.seq, message]));
  replies.forEach((reply, i) => {
    assert.equal(reply.epoch, received[0].epoch);
    assert.deepEqual(bySeq.get(reply.seq)?.batch, bridgeBatches[i], `the batch at seq ${reply.seq} is the one its reply numbered`);
  });
  const bridgeOrder = received.filter((message) => message.batch[0].data.via === 'bridge').map((message) => message.seq);
  assert.deepEqual(bridgeOrder, replies.map((reply) => reply.seq).sort((a, b) => a - b),
    'the bridge batches arrive in the order of their replies\' seqs');
  for (const batch of httpBatches) {
    assert.equal(received.filter((message) => JSON.stringify(message.batch) === JSON.stringify(batch)).length, 1,
      `HTTP batch ${JSON.stringify(batch)} arrives exactly once`);
  }
});

test('refusals come back as err frames with 401 or 403; the connection keeps working and nothing refused is applied', async (t) => {
  const eb = await connect(t);
  const subscription = await subscribed(eb);
  const start = await snapshot(eb);
  let seq = start.seq;
  const refusedIds = [];
  const refusedBatch = () => {
    const id = freshId();
    refusedIds.push(id);
    return [update(id, { refused: true })];
  };
  const stillWorks = async (what) => {
    const batch = [update(freshId(), { after: what })];
    const reply = await apply(eb, batch);
    seq += 1;
    assert.equal(reply.seq, seq, `after ${what}: the next batch gets the next seq, so nothing refused was applied`);
    const messages = await subscription.next(seq - start.seq);
    assert.deepEqual(messages.at(-1).batch, batch, `after ${what}: the subscription still delivers`);
  };

  const subscribeOnly = await refusal(request(eb, APPLY, refusedBatch(), bearer(TOKEN_SUBSCRIBE_ONLY)));
  assert.equal(subscribeOnly.failureCode, 403, `subscribe-only token: ${JSON.stringify(subscribeOnly)}`);
  await stillWorks('a subscribe-only token');

  const forged = await refusal(request(eb, APPLY, refusedBatch(), bearer(TOKEN_FORGED)));
  assert.equal(forged.failureCode, 401, `forged token: ${JSON.stringify(forged)}`);
  await stillWorks('a forged token');

  const missing = await refusal(request(eb, APPLY, refusedBatch(), {}));
  assert.equal(missing.failureCode, 401, `no token: ${JSON.stringify(missing)}`);
  await stillWorks('no token');

  const inTokenHeader = await refusal(request(eb, APPLY, refusedBatch(), { token: TOKEN_FORGED }));
  assert.equal(inTokenHeader.failureCode, 401, `forged token in the token header: ${JSON.stringify(inTokenHeader)}`);
  const viaTokenHeader = await request(eb, SNAPSHOT, {}, { token: TOKEN });
  assert.equal(viaTokenHeader.body.seq, seq, 'a valid token in the token header is accepted');

  const onApply = subscribe(eb, APPLY);
  const registration = await onApply.error();
  assert.equal(registration.failureCode, 403, `registering on apply: ${JSON.stringify(registration)}`);
  await stillWorks('registering on apply');

  const fresh = await connect(t);
  const forgedRegistration = subscribe(fresh, UPDATES, bearer(TOKEN_FORGED));
  const forgedRefusal = await forgedRegistration.error();
  assert.equal(forgedRefusal.failureCode, 401, `registering with a forged token: ${JSON.stringify(forgedRefusal)}`);
  assert.equal((await snapshot(fresh)).seq, seq, 'after a refused registration the connection still answers');
  await stillWorks('a registration with a forged token');
  assert.deepEqual(forgedRegistration.messages, [], 'a refused registration receives nothing');

  const state = await snapshot(eb);
  assert.equal(state.seq, seq);
  for (const id of refusedIds) {
    assert.ok(!state.snapshot.some((record) => record.data.id === id), `refused record ${id} is not in the snapshot`);
  }
  assert.ok(subscription.messages.every((message) => !message.batch.some((element) => element.data.refused)),
    'no refused batch was delivered');
});
