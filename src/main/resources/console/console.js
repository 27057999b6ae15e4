// syncbus console: plain JavaScript, no library, no request to anything but this node.
// The overview arrives once a second on one server-sent event stream (api/events); the record
// table is fetched again whenever the selected queue's seq changes. Everything shown is built with
// textContent and DOM nodes, never as HTML from data.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const MAX_COLUMNS = 12;

  const state = {
    events: null,
    selected: null,
    seq: null,
    page: 0,
    pages: 0,
    request: 0,
    lastEvent: 0,
    filterTimer: 0,
  };

  // ---- requests ---------------------------------------------------------------------------

  class Unauthorized extends Error {}

  async function api(path, options) {
    const response = await fetch('api/' + path, Object.assign({ credentials: 'same-origin' }, options));
    if (response.status === 401) {
      throw new Unauthorized(await response.text());
    }
    if (!response.ok) {
      throw new Error(response.status + ' ' + (await response.text()));
    }
    return response.status === 204 ? null : response.json();
  }

  function post(path, body) {
    return api(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  // ---- views ------------------------------------------------------------------------------

  function showLogin(message) {
    closeEvents();
    $('console-view').hidden = true;
    $('status').hidden = true;
    $('login-view').hidden = false;
    const error = $('login-error');
    error.hidden = !message;
    error.textContent = message || '';
    $('credential').focus();
  }

  function showConsole() {
    $('login-view').hidden = true;
    $('console-view').hidden = false;
    $('status').hidden = false;
    openEvents();
  }

  async function login(event) {
    event.preventDefault();
    const credential = $('credential').value;
    $('credential').value = '';
    try {
      const response = await fetch('api/login', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ credential }),
      });
      if (response.ok) {
        $('login-error').hidden = true;
        showConsole();
        return;
      }
      const reason = response.status === 403 ? 'This credential lacks the admin right.'
        : response.status === 401 ? 'Not an admin credential.' : 'Login failed.';
      showLogin(reason + ' (' + response.status + ': ' + (await response.text()).trim() + ')');
    } catch (error) {
      showLogin('The node did not answer: ' + error.message);
    }
  }

  async function logout() {
    try {
      await post('logout', {});
    } catch (error) {
      // The cookie is cleared by the answer; without one, the session still ends when it expires.
    }
    showLogin('Logged out.');
  }

  // ---- the live stream --------------------------------------------------------------------

  function openEvents() {
    closeEvents();
    const events = new EventSource('api/events');
    state.events = events;
    events.addEventListener('overview', (event) => {
      state.lastEvent = Date.now();
      render(JSON.parse(event.data));
    });
    events.addEventListener('expired', () => showLogin('Your session ended: log in again.'));
    events.addEventListener('disabled', () => showLogin('The console was turned off (console.enabled).'));
    events.onerror = () => {
      if (events.readyState === EventSource.CLOSED && state.events === events) {
        recheck();
      }
    };
  }

  function closeEvents() {
    if (state.events) {
      state.events.close();
      state.events = null;
    }
  }

  /** The stream was refused: an ended session goes back to the login, anything else retries. */
  async function recheck() {
    try {
      const session = await api('session');
      if (!session.session) {
        showLogin('Your session ended: log in again.');
        return;
      }
    } catch (error) {
      // The node is away: try again below.
    }
    setTimeout(() => {
      if (!$('console-view').hidden) {
        openEvents();
      }
    }, 2000);
  }

  setInterval(() => {
    const live = $('live');
    const fresh = Date.now() - state.lastEvent < 3000;
    live.textContent = fresh ? 'live' : 'waiting';
    live.className = 'badge ' + (fresh ? 'good' : 'warn');
  }, 1000);

  // ---- rendering --------------------------------------------------------------------------

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    return node;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    cells.forEach((cell) => tr.appendChild(cell));
    return tr;
  }

  function fill(tbody, rows, empty, columns) {
    tbody.replaceChildren(...rows);
    if (rows.length === 0) {
      const td = el('td', empty, 'muted');
      td.colSpan = columns;
      tbody.appendChild(row([td]));
    }
  }

  function short(id) {
    return id ? String(id).slice(0, 8) : '—';
  }

  function number(n) {
    return Number(n).toLocaleString('en');
  }

  function bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MB';
    return (n / 1024 / 1024 / 1024).toFixed(2) + ' GB';
  }

  function time(millis) {
    return new Date(millis).toLocaleTimeString('en-GB');
  }

  function sparkline(values) {
    const wrap = el('div', null, 'spark');
    const max = Math.max(1, ...values);
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + (values.length - 1) + ' ' + max);
    svg.setAttribute('preserveAspectRatio', 'none');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = 'last 5 minutes, one point a second; peak ' + number(Math.max(...values)) + '/s';
    const points = values.map((v, i) => i + ',' + (max - v)).join(' ');
    const area = document.createElementNS(SVG, 'polygon');
    area.setAttribute('points', '0,' + max + ' ' + points + ' ' + (values.length - 1) + ',' + max);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', points);
    svg.append(title, area, line);
    wrap.append(svg, el('span', number(values[values.length - 1]), 'value'));
    return wrap;
  }

  function kinds(counts) {
    return (counts.poll || 0) + ' / ' + (counts.events || 0) + ' / ' + (counts.bridge || 0);
  }

  function render(overview) {
    renderNode(overview.node);
    renderMembers(overview.members);
    renderQueues(overview.queues);
    renderRefusals(overview.refusals);
    renderReloads(overview.reloads);
  }

  function renderNode(node) {
    $('node-id').textContent = 'node ' + short(node.id);
    $('node-id').title = node.id;
    const badge = $('cluster-state');
    if (!node.clustered) {
      badge.textContent = 'single node';
      badge.className = 'badge';
    } else {
      badge.textContent = (node.quorum ? 'quorum' : 'NO QUORUM') + ' · ' + node.members + ' of '
        + node.expectedMembers + ' members (majority ' + node.majority + ')';
      badge.className = 'badge ' + (node.quorum ? 'good' : 'bad');
    }
  }

  function renderMembers(members) {
    fill($('members'), members.map((member) => row([
      el('td', member.id + (member.self ? '  (this node)' : ''), 'mono'),
      el('td', member.owns.length ? member.owns.join(', ') : '—', 'wrap'),
      el('td', member.subscribers === null ? '—' : number(member.subscribers), 'num'),
      el('td', member.answered ? 'yes' : 'no (within 1 s)', member.answered ? 'ok' : 'no'),
    ])), 'no member', 4);
  }

  function renderQueues(queues) {
    if (!queues.some((queue) => queue.name === state.selected)) {
      state.selected = queues.length ? queues[0].name : null;
      state.seq = null;
      state.page = 0;
    }
    fill($('queues'), queues.map((queue) => {
      const tr = row([
        queueName(queue),
        el('td', queue.ready ? queue.epoch + ':' + queue.seq : 'loading…', 'mono'),
        el('td', number(queue.records), 'num'),
        el('td', bytes(queue.bytes), 'num'),
        el('td', kinds(queue.subscribers.node), 'num'),
        el('td', kinds(queue.subscribers.total), 'num'),
        cell(sparkline(queue.perSecond.batches)),
        cell(sparkline(queue.perSecond.lines)),
        el('td', number(queue.retained.batches) + ' · ' + bytes(queue.retained.bytes), 'num'),
        el('td', number(queue.slowSubscribersCut), 'num'),
      ]);
      tr.dataset.queue = queue.name;
      tr.classList.toggle('selected', queue.name === state.selected);
      tr.addEventListener('click', () => select(queue.name));
      return tr;
    }), 'no queue configured', 10);
    const selected = queues.find((queue) => queue.name === state.selected);
    if (selected && selected.seq !== state.seq) {
      state.seq = selected.seq;
      loadRecords();
    }
  }

  function queueName(queue) {
    const td = el('td');
    td.appendChild(el('strong', queue.name));
    td.appendChild(el('div', queue.type + ' · pk ' + queue.pk + ' · owner ' + short(queue.owner)
      + (queue.ownerPresent ? '' : ' (gone)'), 'muted'));
    return td;
  }

  function cell(child) {
    const td = el('td');
    td.appendChild(child);
    return td;
  }

  function renderRefusals(refusals) {
    fill($('refusals'), refusals.map((refusal) => row([
      el('td', time(refusal.time)),
      el('td', refusal.status, 'num'),
      el('td', refusal.cause, 'mono'),
      el('td', refusal.client, 'mono'),
    ])), 'none since the node started', 4);
  }

  function renderReloads(reloads) {
    fill($('reloads'), reloads.map((reload) => row([
      el('td', time(reload.time)),
      reload.error ? el('td', reload.error, 'wrap error') : el('td', describeReload(reload), 'wrap'),
    ])), 'none since the node started', 2);
  }

  function describeReload(reload) {
    const parts = [];
    if (reload.changed.length) parts.push('changed ' + reload.changed.join(', '));
    if (reload.added.length) parts.push('queues added ' + reload.added.join(', '));
    if (reload.removed.length) parts.push('queues removed ' + reload.removed.join(', '));
    if (reload.ignored.length) parts.push('needs a restart: ' + reload.ignored.join(', '));
    return parts.length ? parts.join('; ') : 'no change';
  }

  // ---- the record table -------------------------------------------------------------------

  function select(queue) {
    if (queue === state.selected) {
      return;
    }
    state.selected = queue;
    state.seq = null;
    state.page = 0;
    document.querySelectorAll('#queues tr').forEach((tr) => tr.classList.toggle('selected', tr.dataset.queue === queue));
    loadRecords();
  }

  async function loadRecords() {
    if (!state.selected) {
      return;
    }
    const request = ++state.request;
    const query = new URLSearchParams({ page: String(state.page) });
    const filter = $('filter-value').value.trim();
    if (filter) {
      query.set($('filter-field').value, filter);
    }
    try {
      const page = await api('queues/' + encodeURIComponent(state.selected) + '/records?' + query);
      if (request === state.request) {
        renderRecords(page);
      }
    } catch (error) {
      if (error instanceof Unauthorized) {
        showLogin('Your session ended: log in again.');
      } else if (request === state.request) {
        $('page-info').textContent = 'could not load the records: ' + error.message;
      }
    }
  }

  function renderRecords(page) {
    $('records-queue').textContent = page.queue;
    state.pages = page.pages;
    const columns = [page.pk];
    page.rows.forEach((data) => Object.keys(data).forEach((field) => {
      if (!columns.includes(field) && columns.length < MAX_COLUMNS) {
        columns.push(field);
      }
    }));
    $('records-head').replaceChildren(row(columns.map((column) => el('th', column))));
    const touched = new Set(page.batches.length ? page.batches[0].keys.map(String) : []);
    fill($('records'), page.rows.map((data) => {
      const tr = row(columns.map((column) => el('td', show(data[column]), column === page.pk ? 'mono' : 'wrap')));
      const key = JSON.stringify(data[page.pk]);
      tr.dataset.key = String(data[page.pk]);
      if (touched.has(key)) {
        tr.classList.add('fresh');
      }
      return tr;
    }), page.ready ? 'no record' + ($('filter-value').value.trim() ? ' matches' : '') : 'loading the backlog…', columns.length);
    const pages = Math.max(1, page.pages);
    $('page-info').textContent = 'page ' + (page.page + 1) + ' of ' + pages + ' · ' + number(page.matched)
      + (page.matched === page.total ? '' : ' of ' + number(page.total)) + ' records · seq ' + page.seq;
    $('page-prev').disabled = page.page === 0;
    $('page-next').disabled = page.page + 1 >= pages;
    fill($('batches'), page.batches.map((batch) => row([
      el('td', batch.seq, 'num'),
      el('td', time(batch.time)),
      el('td', describeBatch(batch), 'wrap mono'),
    ])), 'none since this node followed the queue', 3);
  }

  function show(value) {
    if (value === undefined) return '';
    if (value === null) return 'null';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function describeBatch(batch) {
    const counts = batch.updates + ' upd' + (batch.deletes ? ', ' + batch.deletes + ' del' : '');
    const more = batch.updates + batch.deletes > batch.keys.length ? ' …' : '';
    return counts + ': ' + (batch.keys.length ? batch.keys.join(' ') + more : '(empty batch)');
  }

  // ---- wiring -----------------------------------------------------------------------------

  $('login').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('filter').addEventListener('submit', (event) => event.preventDefault());
  $('filter-value').addEventListener('input', () => {
    clearTimeout(state.filterTimer);
    state.filterTimer = setTimeout(() => {
      state.page = 0;
      loadRecords();
    }, 250);
  });
  $('filter-field').addEventListener('change', () => {
    state.page = 0;
    loadRecords();
  });
  $('page-prev').addEventListener('click', () => {
    state.page = Math.max(0, state.page - 1);
    loadRecords();
  });
  $('page-next').addEventListener('click', () => {
    state.page = Math.min(Math.max(0, state.pages - 1), state.page + 1);
    loadRecords();
  });

  api('session')
    .then((session) => (session.session ? showConsole() : showLogin()))
    .catch((error) => showLogin('The node did not answer: ' + error.message));
})();
