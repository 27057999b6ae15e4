// One syncbus queue over HTTP as the tests see it beside the pages: publishing a batch, and the
// queue's own state (the first line of /queues/Q/poll?format=seq) to compare a page's with. Both
// with a JWT (README, "Bridges and JWT": Authorization: Bearer).
import assert from 'node:assert/strict';
import { WAIT_MS, within } from '../support.mjs';

export class QueueHttp {
  constructor(http, queue, token) {
    this.base = `${http}/queues/${queue}`;
    this.headers = { Authorization: `Bearer ${token}` };
  }

  async publish(batch) {
    const response = await fetch(`${this.base}/update`, {
      method: 'POST',
      headers: this.headers,
      body: new URLSearchParams({ data: JSON.stringify(batch) }),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    const text = await response.text();
    assert.equal(response.status, 200, `POST ${this.base}/update answered ${response.status}: ${text}`);
  }

  /** `{epoch, seq, records}`: the queue now, its records in backlog order. */
  async state() {
    const abort = new AbortController();
    const response = await within(fetch(`${this.base}/poll?format=seq`, { headers: this.headers, signal: abort.signal }),
      `the answer of ${this.base}/poll`);
    assert.equal(response.status, 200, `GET ${this.base}/poll answered ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let text = '';
      while (!text.includes('\n')) {
        const { value, done } = await within(reader.read(), `the first line of ${this.base}/poll`);
        assert.ok(!done, `${this.base}/poll ended before its first line`);
        text += value;
      }
      const { epoch, seq, snapshot } = JSON.parse(text.slice(0, text.indexOf('\n')));
      return { epoch, seq, records: snapshot.map((update) => update.data) };
    } finally {
      abort.abort();
    }
  }
}

/** A page's state (window.syncbus.state) in the shape of QueueHttp.state(). */
export function pageState(page) {
  return page.evaluate(() => {
    const { epoch, seq } = window.syncbus.state;
    return { epoch, seq, records: window.syncbus.state.list() };
  });
}
