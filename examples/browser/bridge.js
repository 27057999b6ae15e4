// The page of sockjs.html and sockjs-vertx3.html: follows a syncbus queue over the SockJS bridge
// and publishes to it (README, "Bridges and JWT"), with whichever event-bus client the page
// loaded before this script: both define a global EventBus with the same API.
//
// Every frame carries the page's JWT. Refusals reach the callbacks as err frames with a failure
// code (401: token missing, expired or forged; 403: no right for the queue); the page shows them
// and keeps them in window.syncbus.refusals, and the connection stays open.
import { QueueState } from './queue-state.js';
import { PageView } from './view.js';

const params = new URLSearchParams(location.hash.slice(1));
const queue = params.get('queue') ?? 'default';
const token = params.get('token');
const address = (name) => `syncbus.${queue}.${name}`;
const bearer = (jwt) => ({ Authorization: `Bearer ${jwt}` });
const view = new PageView();
const state = new QueueState(params.get('pk') ?? 'id');
/**
 * What the page knows, for the console: `transport` is sockjs-client's; `gaps` counts batches
 * found missing (none, if the node keeps its word). `publish` and `snapshot` may be given another token.
 */
const page = window.syncbus = { state, status: 'connecting', transport: null, refusals: [], gaps: 0, publish, snapshot };
/** Batches that arrive while a snapshot is on its way (applied after it, by seq); null when none is. */
let arrivedDuringSnapshot = null;

const eb = new EventBus(params.get('node'));
eb.onopen = () => {
  page.transport = eb.sockJSConn.transport;
  status('open');
  follow();
};
// Before opening: the node is down, or this page's origin is not in http.cors.allowedOrigins
// (the browser hides which from the page).
eb.onclose = (event) => status(`closed (${event.code} ${event.reason})`);
// The bridge follows each refusal with an err frame of its own, to no address.
eb.onerror = (frame) => view.log(`bridge: ${JSON.stringify(frame)}`);

view.form('Publish', JSON.stringify([{ type: 'update', data: { [state.pk]: 1, name: 'ada' } }]), (text) => {
  try {
    publish(JSON.parse(text));
  } catch (error) {
    view.log(`not JSON: ${error.message}`);
  }
});

function status(text) {
  page.status = text;
  view.status(text);
}

/** Sends `body` to the queue's address `name`: resolves `{reply}` (its body) or `{refusal}`, never rejects. */
function request(name, body, jwt) {
  return new Promise((resolve) => {
    eb.send(address(name), body, bearer(jwt), (err, reply) => {
      resolve(err ? { refusal: refused(name, err) } : { reply: reply.body });
    });
  });
}

function refused(name, { failureCode, message }) {
  const refusal = { address: address(name), failureCode, message };
  page.refusals.push(refusal);
  view.log(`${refusal.address} refused: ${failureCode} ${message}`);
  return refusal;
}

/** Applies `batch` to the queue: `{reply: {epoch, seq}}` or `{refusal}`. */
async function publish(batch, jwt = token) {
  const result = await request('apply', batch, jwt);
  if (result.reply) {
    view.log(`published as ${result.reply.epoch}:${result.reply.seq}`);
  }
  return result;
}

/** Makes the queue's snapshot the page's state: `{reply: {epoch, seq, snapshot}}` or `{refusal}`. */
async function snapshot(jwt = token) {
  arrivedDuringSnapshot ??= [];
  const result = await request('snapshot', {}, jwt);
  if (result.reply) {
    state.replace(result.reply);
    view.log(`snapshot at ${state.epoch}:${state.seq}`);
  }
  const arrived = arrivedDuringSnapshot;
  arrivedDuringSnapshot = null;
  arrived.forEach(accept);
  view.records(state.list());
  return result;
}

/**
 * Registers for the queue's batches, then asks for its snapshot: a batch published meanwhile is
 * either in the snapshot (its seq is not above the snapshot's: skipped) or applied after it.
 */
function follow() {
  eb.registerHandler(address('updates'), bearer(token), (err, message) => {
    if (err) {
      refused('updates', err);
    } else if (arrivedDuringSnapshot) {
      arrivedDuringSnapshot.push(message.body);
    } else {
      accept(message.body);
      view.records(state.list());
    }
  });
  snapshot();
}

function accept({ epoch, seq, batch }) {
  if (state.epoch === null || (epoch === state.epoch && state.apply(seq, batch))) {
    return; // applied, or no snapshot to apply it to (the snapshot was refused, and shown)
  }
  // A new epoch (the queue's history restarted), or batches missing: start over from a snapshot.
  page.gaps += epoch === state.epoch ? 1 : 0;
  view.log(`batch ${epoch}:${seq} does not follow ${state.epoch}:${state.seq}: fetching a snapshot`);
  snapshot();
}
