// anseo's chat page: one ES module, no dependencies, no build step.
//
// It speaks the protocol of docs/protocol.md over one WebSocket. The
// `handlers` table below has one entry per server message type. Text from
// the network only ever enters the page as text (textContent, append with a
// string), never as markup.
//
// Resuming (docs/protocol.md §2, "Resume"): the welcome gives the person's
// token, kept in localStorage so that every tab of this browser shares it.
// Each tab keeps what it has shown (the last `keepEvents` events) and the ID
// of the last event it received in sessionStorage, which survives a reload.
// A reloaded page shows what it had at once, then connects with
// ?token=…&after=ID and the server sends exactly what it missed. Events are
// de-duplicated by ID, so an event shown once is never shown twice.

const app = document.getElementById('app');
// The name this browser logged in with (the cookie's). The page's name in the
// room, `me`, starts as it and follows the welcome and /nick.
const login = app.dataset.me;
let me = login;
let maxTextBytes = Number(app.dataset.maxTextBytes) || 4096;

const $ = (id) => document.getElementById(id);
const ui = {
  log: $('messages'),
  loadOlder: $('load-older'),
  members: $('members'),
  count: $('member-count'),
  me: $('me'),
  banner: $('banner'),
  bannerText: $('banner-text'),
  retry: $('retry'),
  statusDot: $('status-dot'),
  statusText: $('status-text'),
  composer: $('composer'),
  input: $('text'),
  hint: $('composer-hint'),
  newMessages: $('new-messages'),
  people: $('people'),
  peopleToggle: $('people-toggle'),
  quit: $('quit-form'),
  away: $('away-toggle'),
  searchForm: $('search-form'),
  search: $('search'),
  searchPanel: $('search-panel'),
  searchHeading: $('search-heading'),
  searchResults: $('search-results'),
  searchClose: $('search-close'),
};

// Close codes: docs/protocol.md, "Close codes".
const Close = {
  normal: 1000,
  goingAway: 1001,
  nameTaken: 4001,
  nameInvalid: 4002,
  notLoggedIn: 4003,
  tooSlow: 4008,
  moved: 4009,
  serverFull: 1013, // "try again later", which the server says only when it is full
  clusterUnavailable: 4013,
  clusterLost: 4014,
  tooMany: 4029,
};

// Reconnecting: exponential backoff from 0.5 s, doubling to a 30 s cap, with
// jitter so that a restarted server is not hit by every page at once.
const backoffBaseMs = 500;
const backoffCapMs = 30000;

// keepEvents is how many events a tab keeps in sessionStorage to show again
// after a reload: a few screens; older ones come from GET /history.
const keepEvents = 200;
// historyPage is how many older messages one scroll to the top loads.
const historyPage = 50;
// idleEveryMs is how often the user list's idle times are brought up to date.
const idleEveryMs = 30000;

let ws = null; // the current socket, or null between attempts
let live = false; // the current socket has been welcomed
let welcomedOnce = false;
let attempt = 0; // reconnect attempts since the last welcome
let retryTimer = 0;
let quitting = false;
let seq = 0; // for refs
const pending = new Map(); // ref → own message element awaiting its echo
const lost = []; // own messages whose echo a lost connection kept from us
const roster = new Map(); // name → {item, status, transport, away, reason, lastActive}
let skewMs = 0; // the server's clock minus ours, from the welcome
let historyOn = false; // the server keeps history: GET /history works
let olderDone = false; // GET /history has nothing older
let loadingOlder = false;
let replay = null; // {kind, marked} while the server replays events
let unread = 0; // messages that arrived while the tab was hidden
let below = 0; // messages that arrived while the reader was scrolled up
const baseTitle = document.title;

// What this tab has shown, for a reload: see the top of the file.
const seen = new Set(); // IDs of the events shown
let maxId = 0; // the greatest ID shown
let lastId = 0; // the greatest ID received over the socket: ?after= on resume
let kept = []; // the events to keep in sessionStorage, oldest first

// ---- Storage -------------------------------------------------------------

const tokenKey = 'anseo.token.' + login.toLowerCase();
const viewKey = 'anseo.view';

function storage(kind) {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage disabled: the page works, without resuming
  }
}

function loadToken() {
  return storage('local')?.getItem(tokenKey) || '';
}

function saveToken(token) {
  try {
    storage('local')?.setItem(tokenKey, token);
  } catch {
    // full or disabled: a reload then joins afresh
  }
}

// forgetSession drops the token and this tab's view: the person has left.
function forgetSession() {
  clearTimeout(saveTimer);
  storage('local')?.removeItem(tokenKey);
  storage('session')?.removeItem(viewKey);
  kept = [];
}

let saveTimer = 0;

function saveView() {
  clearTimeout(saveTimer);
  saveTimer = 0;
  if (quitting) return;
  try {
    storage('session')?.setItem(viewKey, JSON.stringify({ login, lastId, events: kept }));
  } catch {
    // full: the next reload shows less, and the server's replay still fills the gap
  }
}

function keep(msg) {
  kept.push(msg);
  if (kept.length > keepEvents) kept.splice(0, kept.length - keepEvents);
  if (!saveTimer) saveTimer = setTimeout(saveView, 200);
}

// restoreView shows again what this tab showed before a reload.
function restoreView() {
  let saved = null;
  try {
    saved = JSON.parse(storage('session')?.getItem(viewKey) || 'null');
  } catch {
    return;
  }
  if (!saved || saved.login !== login || !Array.isArray(saved.events)) return;
  for (const msg of saved.events) {
    const view = Object.hasOwn(views, msg?.type) ? views[msg.type] : undefined;
    if (!view || (msg.id && seen.has(msg.id))) continue;
    if (msg.id) seen.add(msg.id);
    place(view(msg), msg.id);
    kept.push(msg);
  }
  lastId = Number(saved.lastId) || 0;
  scrollToBottom();
}

// resetView forgets what the tab shows: the server did not resume our
// session, so its IDs may be another numbering (a restarted server).
function resetView() {
  for (const item of [...ui.log.children]) if (item !== ui.loadOlder) item.remove();
  seen.clear();
  maxId = 0;
  lastId = 0;
  kept = [];
  lost.length = 0;
  olderDone = false;
  saveView();
}

// ---- The connection ----------------------------------------------------

function connect() {
  clearTimeout(retryTimer);
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = loadToken();
  if (token) {
    url.searchParams.set('token', token);
    if (lastId) url.searchParams.set('after', String(lastId));
  }
  const sock = new WebSocket(url);
  ws = sock;
  live = false;
  replay = null;
  setStatus('connecting', 'Connecting…');
  sock.addEventListener('message', (ev) => {
    if (sock !== ws) return;
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return; // not JSON: nothing this client can act on
    }
    // A frame holds one message, or an array of them in order (the server
    // batches what was queued together).
    for (const msg of Array.isArray(data) ? data : [data]) {
      if (sock !== ws) return; // a handler closed this socket
      const handle = msg && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : undefined;
      if (handle) handle(msg); // unknown types are ignored, as the protocol asks
    }
  });
  sock.addEventListener('close', (ev) => {
    if (sock === ws) closed(ev);
  });
}

function closed(ev) {
  ws = null;
  live = false;
  replay = null;
  for (const item of pending.values()) lost.push(item);
  failPending('Not delivered: the connection was lost.');
  if (quitting) return;
  switch (ev.code) {
    case Close.normal: // we left: /quit, here or in another tab
      return leave();
    case Close.nameTaken:
      return backToLogin('taken');
    case Close.nameInvalid:
      return backToLogin('invalid');
    case Close.notLoggedIn:
      return backToLogin('login');
    case Close.moved: // it goes on in another window: coming back would take it over
      showBanner('You continued in another window. Reload this page to chat here instead.');
      setStatus('offline', 'Offline');
      return;
  }
  scheduleReconnect(ev.code);
}

// reconnectWords say why the page is reconnecting, by close code; any other
// code (1006, a dropped connection, above all) is 'Connection lost.'. The
// close reason is for people: the page acts on the code alone.
const reconnectWords = {
  [Close.goingAway]: 'The server is restarting.',
  [Close.serverFull]: 'The server is full.',
  [Close.tooSlow]: 'Your connection fell behind.',
  [Close.clusterUnavailable]: 'The chat is briefly unavailable.',
  [Close.clusterLost]: 'The chat is briefly unavailable.',
  [Close.tooMany]: 'Too many connections from your address.',
};

function scheduleReconnect(code) {
  attempt++;
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** (attempt - 1));
  const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
  const why = Object.hasOwn(reconnectWords, code) ? reconnectWords[code] : 'Connection lost.';
  showBanner(`${why} Reconnecting… (attempt ${attempt})`);
  setStatus('offline', 'Offline');
  retryTimer = setTimeout(connect, delay);
}

function retryNow() {
  if (ws || quitting) return;
  connect();
}

function backToLogin(error) {
  quitting = true;
  forgetSession();
  location.assign('/?' + new URLSearchParams({ name: login, error }));
}

// leave ends the session for good: forget it, and post the logout form,
// which forgets the name and shows the login page.
function leave() {
  quitting = true;
  clearTimeout(retryTimer);
  forgetSession();
  ui.quit.submit();
}

function send(msg) {
  ws.send(JSON.stringify(msg));
}

// ---- Server messages: one handler per type ----------------------------

const handlers = {
  welcome(msg) {
    const again = welcomedOnce;
    live = true;
    welcomedOnce = true;
    attempt = 0;
    if (msg.maxTextBytes > 0) maxTextBytes = msg.maxTextBytes;
    if (msg.token) saveToken(msg.token);
    skewMs = Date.parse(msg.time) - Date.now() || 0;
    if (!msg.resumed) resetView();
    setMe(msg.you);
    historyOn = Boolean(msg.history);
    ui.searchForm.hidden = !historyOn;
    probeOlder();
    hideBanner();
    setStatus('online', 'Connected');
    roster.clear();
    ui.members.replaceChildren();
    for (const m of msg.members) addMember(m);
    showAway(roster.get(me)?.away || false);
    if (again) {
      const words = msg.resumed ? 'Reconnected.' : 'Reconnected. Your previous session had ended: this is a fresh start.';
      appendLine(eventItem('reconnected', [words], new Date().toISOString()));
    }
  },

  joined: onEvent,
  left: onEvent,
  message: onEvent,
  action: onEvent,
  private: onEvent,
  renamed: onEvent,
  away: onEvent,
  notice: onEvent,

  replay(msg) {
    replay = msg.phase === 'begin' ? { kind: msg.kind, marked: false } : null;
    if (!replay) probeOlder(); // the oldest shown may have changed
  },

  error(msg) {
    const mine = msg.ref ? pending.get(msg.ref) : undefined;
    if (mine) {
      pending.delete(msg.ref);
      setState(mine, 'failed', msg.text);
    }
    showHint(msg.ref ? `Not sent: ${msg.text}.` : `The server said: ${msg.text}`);
  },
};

// onEvent shows a room event (or a notice for us), once: an ID already shown
// came again in a replay, and is skipped. Replayed events happened before
// the welcome, whose user list already counts them, so only live ones change
// the list.
function onEvent(msg) {
  if (msg.id > lastId) lastId = msg.id;
  if (msg.id && seen.has(msg.id)) return;
  if (msg.id) seen.add(msg.id);
  if (!replay) effects[msg.type]?.(msg);
  if (msg.type === 'message' && confirmOwn(msg)) {
    keep(msg);
    return;
  }
  if (replay && !replay.marked) {
    replay.marked = true; // a divider before the first replayed event shown
    const divider = { type: 'divider', kind: replay.kind };
    place(views.divider(divider), 0);
    keep(divider);
  }
  const item = views[msg.type](msg);
  if (replay?.kind === 'history') item.classList.add('replayed');
  place(item, msg.id, Boolean(msg.own) && !replay);
  keep(msg);
  if (!replay && !msg.own && (msg.type === 'message' || msg.type === 'action' || msg.type === 'private')) countUnread();
}

// confirmOwn matches the echo of our own message to what we showed when we
// sent it: by ref on this connection, or by text for one whose echo a lost
// connection kept from us (it arrives again, without ref, when we resume).
function confirmOwn(msg) {
  let mine = msg.ref ? pending.get(msg.ref) : undefined;
  if (mine) {
    pending.delete(msg.ref);
  } else if (msg.own) {
    const i = lost.findIndex((item) => item.querySelector('.text').textContent === msg.text);
    if (i < 0) return false;
    mine = lost.splice(i, 1)[0];
  } else {
    return false;
  }
  // It reached everyone. Show the text as the server cleaned it, and the
  // server's time.
  mine.querySelector('.text').textContent = msg.text;
  mine.querySelector('time').replaceWith(timeEl(msg.time));
  mine.dataset.id = String(msg.id);
  maxId = Math.max(maxId, msg.id);
  setState(mine, 'delivered');
  return true;
}

// effects are what live events change besides the log: the user list, the
// idle times, our own name.
const effects = {
  joined(msg) {
    addMember({ name: msg.name, transport: msg.transport, lastActive: msg.time });
  },
  left(msg) {
    removeMember(msg.name);
  },
  message(msg) {
    touch(msg.from, msg.time);
  },
  action(msg) {
    touch(msg.from, msg.time);
  },
  private(msg) {
    touch(msg.from, msg.time);
  },
  renamed(msg) {
    const mine = msg.name === me;
    renameMember(msg.name, msg.newName);
    if (mine) setMe(msg.newName);
    touch(msg.newName, msg.time);
  },
  away(msg) {
    setAway(msg.name, msg.away, msg.reason || '');
    if (!msg.away) touch(msg.name, msg.time);
  },
};

// ---- The message log ---------------------------------------------------

function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

function timeEl(iso) {
  const t = el('time');
  const d = new Date(iso);
  t.dateTime = iso;
  t.textContent = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  t.title = d.toLocaleString();
  return t;
}

// hue gives each name its own colour, the same on every page: one of a few
// hues far enough apart to tell apart at a glance.
const hues = [4, 28, 48, 142, 172, 198, 222, 258, 286, 318];

function hue(name) {
  let h = 2166136261; // FNV-1a
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0), 16777619);
  return String(hues[(h >>> 0) % hues.length]);
}

function nameEl(name) {
  const b = el('b', 'who');
  b.textContent = name;
  b.style.setProperty('--hue', hue(name));
  return b;
}

function transportSuffix(transport) {
  return transport === 'telnet' ? ' over telnet' : '';
}

// views turn an event into its element in the log, for live events, replays
// and a reloaded tab alike. They change nothing else.
const views = {
  message(msg) {
    return messageItem(msg, Boolean(msg.own), 'delivered');
  },
  action(msg) {
    const item = eventItem('action', ['* ', nameEl(msg.from), ' ', msg.text], msg.time);
    if (msg.own) item.classList.add('own');
    return item;
  },
  private(msg) {
    const item = el('article', msg.own ? 'msg private own' : 'msg private');
    item.dataset.testid = 'message';
    item.dataset.kind = 'private';
    item.dataset.from = msg.from;
    item.dataset.to = msg.to;
    const meta = el('header', 'meta');
    const tag = el('span', 'private-tag');
    tag.textContent = 'private';
    if (msg.own) meta.append('→ ', nameEl(msg.to), ' ', tag, ' ', timeEl(msg.time));
    else meta.append(nameEl(msg.from), ' → you ', tag, ' ', timeEl(msg.time));
    const text = el('p', 'text');
    text.textContent = msg.text;
    item.append(meta, text);
    return item;
  },
  joined(msg) {
    return eventItem('joined', [nameEl(msg.name), ' joined', transportSuffix(msg.transport)], msg.time);
  },
  left(msg) {
    const parts = [nameEl(msg.name), ' left'];
    if (msg.reason === 'too slow') parts.push(' (connection too slow)');
    if (msg.text) parts.push(': “', msg.text, '”');
    return eventItem('left', parts, msg.time);
  },
  renamed(msg) {
    return eventItem('renamed', [nameEl(msg.name), ' is now known as ', nameEl(msg.newName)], msg.time);
  },
  away(msg) {
    if (!msg.away) return eventItem('away', [nameEl(msg.name), ' is back'], msg.time);
    return eventItem('away', [nameEl(msg.name), ' is away', msg.reason ? `: ${msg.reason}` : ''], msg.time);
  },
  notice(msg) {
    if (msg.id) return eventItem('notice', [msg.text], msg.time);
    // For us alone (/help, /who, a hint): lines laid out as the server wrote them.
    const item = el('div', 'event notice own-notice');
    item.dataset.testid = 'event';
    item.dataset.kind = 'notice';
    const pre = el('pre', 'notice-text');
    pre.textContent = msg.text;
    item.append(pre);
    return item;
  },
  divider(msg) {
    const item = el('div', 'divider');
    item.dataset.testid = 'divider';
    item.dataset.kind = msg.kind;
    const label = el('span');
    label.textContent = msg.kind === 'missed' ? 'While you were away' : 'Earlier messages';
    item.append(label);
    return item;
  },
};

function messageItem(msg, own, state) {
  const item = el('article', own ? 'msg own' : 'msg');
  item.dataset.testid = 'message';
  item.dataset.from = msg.from;
  const meta = el('header', 'meta');
  meta.append(nameEl(msg.from), ' ', timeEl(msg.time));
  const text = el('p', 'text');
  text.textContent = msg.text;
  item.append(meta, text);
  if (own) {
    const tick = el('span', 'tick');
    meta.append(' ', tick);
    setState(item, state || 'pending');
  }
  return item;
}

const stateWords = { pending: 'Sending…', delivered: 'Delivered', failed: 'Not delivered' };
const stateMarks = { pending: '…', delivered: '✓', failed: '!' };

function setState(item, state, why) {
  item.dataset.state = state;
  const tick = item.querySelector('.tick');
  tick.textContent = stateMarks[state];
  tick.title = why || stateWords[state];
  tick.setAttribute('aria-label', tick.title);
}

function failPending(why) {
  for (const item of pending.values()) setState(item, 'failed', why);
  pending.clear();
}

function eventItem(kind, parts, time) {
  const item = el('div', `event ${kind}`);
  item.dataset.testid = 'event';
  item.dataset.kind = kind;
  const text = el('span', 'event-text');
  text.append(...parts);
  item.append(text, ' ', timeEl(time));
  return item;
}

function atBottom() {
  const l = ui.log;
  return l.scrollHeight - l.scrollTop - l.clientHeight < 48;
}

function scrollToBottom() {
  ui.log.scrollTop = ui.log.scrollHeight;
  below = 0;
  ui.newMessages.hidden = true;
}

// place puts an event's element in the log in ID order: at the end, as
// nearly every event goes, or before the first with a greater ID (older
// history, a replay into a view that has later events). Elements without an
// ID (our own lines, dividers) go at the end.
function place(item, id, follow = false) {
  if (id) item.dataset.id = String(id);
  if (id && id < maxId) {
    insertInOrder(item, id, ui.log.firstElementChild);
    return;
  }
  if (id) maxId = Math.max(maxId, id);
  appendLine(item, follow);
}

// insertInOrder puts item before the first element from `from` on whose ID
// is greater than id, and before the lines without an ID (a divider, say)
// that lead up to that one. It returns that element, where the search for a
// later ID can go on.
function insertInOrder(item, id, from) {
  let next = from;
  while (next && !(Number(next.dataset.id) > id)) next = next.nextElementSibling;
  let at = next;
  while (at?.previousElementSibling && !at.previousElementSibling.dataset.id && at.previousElementSibling !== ui.loadOlder) {
    at = at.previousElementSibling;
  }
  ui.log.insertBefore(item, at);
  return next;
}

// appendLine adds to the log, following it down only if the reader was at
// the bottom (or sent it); otherwise it offers a "new messages" marker.
function appendLine(item, follow = false) {
  const stick = follow || atBottom();
  ui.log.append(item);
  if (stick) {
    scrollToBottom();
  } else {
    below++;
    ui.newMessages.textContent = below === 1 ? 'New message ↓' : `${below} new messages ↓`;
    ui.newMessages.hidden = false;
  }
}

function countUnread() {
  if (!document.hidden) return;
  unread++;
  document.title = `(${unread}) ${baseTitle}`;
}

// ---- Older history -----------------------------------------------------

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
  return body;
}

function oldestId() {
  for (const item of ui.log.children) if (item.dataset.id) return Number(item.dataset.id);
  return 0;
}

// probeOlder offers "Load earlier messages" only if there are some: it asks
// for one saved message before the oldest shown.
async function probeOlder() {
  ui.loadOlder.hidden = true;
  const first = oldestId();
  if (!historyOn || !first) return;
  try {
    const page = await getJSON('/history?' + new URLSearchParams({ before: String(first), n: '1' }));
    olderDone = page.events.length === 0;
  } catch {
    olderDone = false; // let the reader try, and see why it fails
  }
  ui.loadOlder.hidden = !historyOn || olderDone;
}

// loadOlder puts the page of saved messages before the oldest shown at the
// top of the log, keeping in view what the reader was looking at.
async function loadOlder() {
  if (!historyOn || olderDone || loadingOlder) return;
  loadingOlder = true;
  ui.loadOlder.disabled = true;
  ui.loadOlder.textContent = 'Loading…';
  try {
    const q = new URLSearchParams({ n: String(historyPage) });
    const first = oldestId();
    if (first) q.set('before', String(first));
    const page = await getJSON('/history?' + q);
    const fromBottom = ui.log.scrollHeight - ui.log.scrollTop;
    let from = ui.loadOlder.nextElementSibling;
    for (const ev of page.events) {
      if (seen.has(ev.id) || !Object.hasOwn(views, ev.type)) continue;
      seen.add(ev.id);
      const item = views[ev.type]({ ...ev, own: ev.from === me });
      item.dataset.id = String(ev.id);
      from = insertInOrder(item, ev.id, from);
      maxId = Math.max(maxId, ev.id);
    }
    ui.log.scrollTop = ui.log.scrollHeight - fromBottom;
    olderDone = !page.more;
  } catch (err) {
    showHint(`Could not load earlier messages: ${err.message}.`);
  } finally {
    loadingOlder = false;
    ui.loadOlder.disabled = false;
    ui.loadOlder.textContent = 'Load earlier messages';
    ui.loadOlder.hidden = !historyOn || olderDone;
  }
}

// ---- Search ------------------------------------------------------------

async function search(q) {
  ui.searchResults.replaceChildren();
  ui.searchHeading.textContent = `Searching for “${q}”…`;
  ui.searchPanel.hidden = false;
  try {
    const page = await getJSON('/history/search?' + new URLSearchParams({ q, n: String(historyPage) }));
    const n = page.events.length;
    ui.searchHeading.textContent =
      n === 0 ? `Nothing found for “${q}”` : `${n}${page.more ? '+' : ''} found for “${q}”`;
    for (const ev of page.events.reverse()) ui.searchResults.append(resultItem(ev)); // newest first
  } catch (err) {
    ui.searchHeading.textContent = `Search failed: ${err.message}`;
  }
  ui.searchClose.focus();
}

function resultItem(ev) {
  const item = el('li', 'result');
  item.dataset.testid = 'search-result';
  item.dataset.id = String(ev.id);
  const meta = el('header', 'meta');
  meta.append(nameEl(ev.from), ' ', timeEl(ev.time));
  const text = el('p', 'text');
  text.textContent = ev.type === 'action' ? `* ${ev.from} ${ev.text}` : ev.text;
  item.append(meta, text);
  return item;
}

function closeSearch() {
  ui.searchPanel.hidden = true;
  ui.searchResults.replaceChildren();
  ui.search.focus();
}

// ---- The user list -----------------------------------------------------

function serverNow() {
  return Date.now() + skewMs;
}

function addMember({ name, transport, away = false, awayReason = '', lastActive }) {
  if (roster.has(name)) return;
  const item = el('li', 'member');
  item.dataset.testid = 'member';
  item.dataset.transport = transport;
  const avatar = el('span', 'avatar');
  avatar.setAttribute('aria-hidden', 'true');
  const main = el('span', 'member-main');
  const status = el('span', 'member-status');
  status.dataset.testid = 'member-status';
  const badge = el('span', `badge ${transport}`);
  badge.textContent = transport;
  badge.title = transport === 'telnet' ? 'Connected over telnet' : 'Connected from a browser';
  item.append(avatar, main, badge);
  ui.members.append(item);
  const entry = { item, avatar, main, status, away, reason: awayReason, lastActive: Date.parse(lastActive) || serverNow() };
  roster.set(name, entry);
  labelMember(name, entry);
  ui.count.textContent = String(roster.size);
}

// labelMember (re)draws a user list entry's name: a button that starts a
// private message, or, for ourselves, the name and "(you)".
function labelMember(name, entry) {
  entry.item.dataset.name = name;
  entry.avatar.textContent = [...name][0].toUpperCase();
  entry.avatar.style.setProperty('--hue', hue(name));
  let label;
  if (name === me) {
    label = el('span', 'member-name');
    const you = el('span', 'you');
    you.textContent = '(you)';
    label.append(name, ' ', you);
  } else {
    label = el('button', 'member-name');
    label.type = 'button';
    label.dataset.testid = 'member-name';
    label.textContent = name;
    label.title = `Send ${name} a private message`;
    label.addEventListener('click', () => startPrivate(entry.item.dataset.name));
  }
  entry.main.replaceChildren(label, entry.status);
  showPresence(entry);
}

// showPresence writes an entry's away state and idle time.
function showPresence(entry) {
  const { item, status } = entry;
  item.dataset.away = String(entry.away);
  item.classList.toggle('away', entry.away);
  const parts = [];
  if (entry.away) parts.push(entry.reason ? `away: ${entry.reason}` : 'away');
  const idle = idleText(serverNow() - entry.lastActive);
  if (idle) parts.push(idle);
  status.textContent = parts.join(' · ');
  status.title = entry.away && entry.reason ? `Away: ${entry.reason}` : '';
  item.dataset.idle = idle;
}

function idleText(ms) {
  const min = Math.floor(ms / 60000);
  if (min < 1) return '';
  if (min < 60) return `idle ${min}m`;
  if (min < 24 * 60) return `idle ${Math.floor(min / 60)}h`;
  return `idle ${Math.floor(min / (24 * 60))}d`;
}

function removeMember(name) {
  roster.get(name)?.item.remove();
  roster.delete(name);
  ui.count.textContent = String(roster.size);
}

function renameMember(from, to) {
  const entry = roster.get(from);
  if (!entry) return;
  roster.delete(from);
  roster.set(to, entry);
  if (from === me) me = to; // so that the entry is labelled as ours
  labelMember(to, entry);
}

function touch(name, time) {
  const entry = roster.get(name);
  if (!entry) return;
  entry.lastActive = Date.parse(time) || serverNow();
  showPresence(entry);
}

function setAway(name, away, reason) {
  const entry = roster.get(name);
  if (!entry) return;
  entry.away = away;
  entry.reason = away ? reason : '';
  showPresence(entry);
  if (name === me) showAway(away);
}

function showAway(away) {
  ui.away.setAttribute('aria-pressed', String(away));
}

// setMe follows our name in the room: the welcome's, then /nick's.
function setMe(name) {
  me = name;
  ui.me.textContent = name;
}

function startPrivate(name) {
  ui.input.value = `/msg ${name} `;
  ui.input.focus();
  ui.input.setSelectionRange(ui.input.value.length, ui.input.value.length);
  if (ui.people.classList.contains('open')) ui.peopleToggle.click();
}

// ---- The page around it ------------------------------------------------

function setStatus(state, text) {
  ui.statusDot.dataset.state = state;
  ui.statusText.textContent = text;
}

function showBanner(text) {
  ui.bannerText.textContent = text;
  ui.banner.hidden = false;
}

function hideBanner() {
  ui.banner.hidden = true;
  ui.bannerText.textContent = '';
}

function showHint(text) {
  ui.hint.textContent = text;
}

const encoder = new TextEncoder();

// A line starting with one "/" is a command (docs/protocol.md §4): the
// server answers it with events, so nothing is shown for it here. "//"
// sends a message that starts with "/".
function isCommand(text) {
  return text.startsWith('/') && !text.startsWith('//');
}

ui.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.input.value;
  if (text.trim() === '') {
    ui.input.value = ''; // nothing to say, and nothing worth keeping
    return;
  }
  const size = encoder.encode(text).length;
  if (size > maxTextBytes) {
    showHint(`That message is too long: ${size} bytes, and the limit is ${maxTextBytes}.`);
    return;
  }
  if (!live) {
    showHint('Not connected. Your message stays here until you are back.');
    return;
  }
  const ref = `r${++seq}`;
  if (!isCommand(text)) {
    const shown = text.startsWith('//') ? text.slice(1) : text;
    const item = messageItem({ from: me, text: shown, time: new Date().toISOString() }, true, 'pending');
    pending.set(ref, item);
    appendLine(item, true);
  }
  send({ type: 'say', text, ref });
  ui.input.value = '';
  showHint('');
});

// Quit: /quit takes us out of the room at once (every tab of ours closes
// with 1000), then the logout form forgets the name and shows the login page.
ui.quit.addEventListener('submit', (e) => {
  e.preventDefault();
  if (quitting) return;
  quitting = true;
  clearTimeout(retryTimer);
  forgetSession();
  let done = false;
  const logout = () => {
    if (done) return;
    done = true;
    ui.quit.submit();
  };
  const sock = ws;
  if (sock && live) {
    sock.addEventListener('close', logout, { once: true });
    setTimeout(logout, 2000); // the server did not answer: go anyway
    send({ type: 'say', text: '/quit' });
  } else {
    sock?.close(Close.normal, 'quit');
    logout();
  }
});

ui.away.addEventListener('click', () => {
  if (!live) {
    showHint('Not connected.');
    return;
  }
  send({ type: 'say', text: ui.away.getAttribute('aria-pressed') === 'true' ? '/back' : '/away' });
});

ui.searchForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const q = ui.search.value.trim();
  if (q) search(q);
});
ui.searchClose.addEventListener('click', closeSearch);
ui.searchPanel.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') closeSearch();
});
ui.searchResults.addEventListener('click', (e) => {
  // A result that is in the log: show it there.
  const id = e.target.closest('[data-testid=search-result]')?.dataset.id;
  const item = id && ui.log.querySelector(`[data-id="${CSS.escape(id)}"]`);
  if (!item) return;
  item.scrollIntoView({ block: 'center' });
  item.classList.add('found');
  setTimeout(() => item.classList.remove('found'), 2000);
});

ui.retry.addEventListener('click', retryNow);
window.addEventListener('online', retryNow);

ui.loadOlder.addEventListener('click', loadOlder);
ui.log.addEventListener('scroll', () => {
  if (atBottom()) {
    below = 0;
    ui.newMessages.hidden = true;
  }
  if (ui.log.scrollTop < 40) loadOlder();
});
ui.newMessages.addEventListener('click', () => {
  scrollToBottom();
  ui.input.focus();
});

document.addEventListener('visibilitychange', () => {
  if (document.hidden) {
    saveView();
  } else {
    unread = 0;
    document.title = baseTitle;
  }
});
window.addEventListener('pagehide', saveView); // a reload or a closed tab: keep what was shown

ui.peopleToggle.addEventListener('click', () => {
  const open = ui.peopleToggle.getAttribute('aria-expanded') !== 'true';
  ui.peopleToggle.setAttribute('aria-expanded', String(open));
  ui.people.classList.toggle('open', open);
});

setInterval(() => {
  for (const entry of roster.values()) showPresence(entry);
}, idleEveryMs);

restoreView();
connect();
ui.input.focus();
