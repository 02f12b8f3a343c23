// anseo's chat page: one ES module, no dependencies, no build step.
//
// It speaks the protocol of docs/protocol.md over one WebSocket. The
// `handlers` table below has one function per server message type. Text
// from the network only ever enters the page as text (textContent, append
// with a string), never as markup.

const app = document.getElementById('app');
const me = app.dataset.me;
let maxTextBytes = Number(app.dataset.maxTextBytes) || 4096;

const $ = (id) => document.getElementById(id);
const ui = {
  log: $('messages'),
  members: $('members'),
  count: $('member-count'),
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
};

// Close codes: docs/protocol.md, "Close codes".
const Close = {
  normal: 1000,
  goingAway: 1001,
  nameTaken: 4001,
  nameInvalid: 4002,
  notLoggedIn: 4003,
  tooSlow: 4008,
  tryAgainLater: 1013,
  tooMany: 4029,
};

// Reconnecting: exponential backoff from 0.5 s, doubling to a 30 s cap, with
// jitter so that a restarted server is not hit by every page at once.
const backoffBaseMs = 500;
const backoffCapMs = 30000;
// After a lost connection our own old socket may still hold our name on the
// server until the server notices it is gone (its ping, at most about 40 s).
// For that long a "name taken" answer means "wait", not "choose another".
const takenGraceMs = 60000;

let ws = null; // the current socket, or null between attempts
let live = false; // the current socket has been welcomed
let welcomedOnce = false;
let attempt = 0; // reconnect attempts since the last welcome
let retryTimer = 0;
let takenSince = 0;
let quitting = false;
let seq = 0; // for refs
const pending = new Map(); // ref → own message element awaiting its echo
const roster = new Map(); // name → user list entry
let unread = 0; // messages that arrived while the tab was hidden
let below = 0; // messages that arrived while the reader was scrolled up
const baseTitle = document.title;

// ---- The connection ----------------------------------------------------

function connect() {
  clearTimeout(retryTimer);
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const sock = new WebSocket(url);
  ws = sock;
  live = false;
  setStatus('connecting', 'Connecting…');
  sock.addEventListener('message', (ev) => {
    if (sock !== ws) return;
    let msg;
    try {
      msg = JSON.parse(ev.data);
    } catch {
      return; // not JSON: nothing this client can act on
    }
    const handle = handlers[msg.type];
    if (handle) handle(msg); // unknown types are ignored, as the protocol asks
  });
  sock.addEventListener('close', (ev) => {
    if (sock === ws) closed(ev);
  });
}

function closed(ev) {
  ws = null;
  live = false;
  failPending('Not delivered: the connection was lost.');
  if (quitting) return;
  switch (ev.code) {
    case Close.nameTaken:
      if (!welcomedOnce) return backToLogin('taken');
      takenSince ||= Date.now();
      if (Date.now() - takenSince > takenGraceMs) return backToLogin('taken');
      break;
    case Close.nameInvalid:
      return backToLogin('invalid');
    case Close.notLoggedIn:
      return backToLogin('login');
  }
  scheduleReconnect(ev.code);
}

function scheduleReconnect(code) {
  attempt++;
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** (attempt - 1));
  const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
  let why = 'Connection lost.';
  if (code === Close.goingAway) why = 'The server is restarting.';
  if (code === Close.tooSlow) why = 'Your connection fell behind.';
  if (code === Close.nameTaken) why = 'Waiting for your previous connection to close.';
  if (code === Close.tooMany) why = 'Too many connections from your address.';
  if (code === Close.tryAgainLater) why = 'The server is full.';
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
  location.assign('/?' + new URLSearchParams({ name: me, error }));
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
    takenSince = 0;
    if (msg.maxTextBytes > 0) maxTextBytes = msg.maxTextBytes;
    hideBanner();
    setStatus('online', 'Connected');
    roster.clear();
    ui.members.replaceChildren();
    for (const m of msg.members) addMember(m);
    if (again) appendLine(eventItem('reconnected', [document.createTextNode('Reconnected.')], new Date().toISOString()));
  },

  joined(msg) {
    addMember(msg);
    appendLine(eventItem('joined', [nameEl(msg.name), ' joined', transportSuffix(msg.transport)], msg.time));
  },

  left(msg) {
    removeMember(msg.name);
    const why = msg.reason === 'too slow' ? ' (connection too slow)' : '';
    appendLine(eventItem('left', [nameEl(msg.name), ' left' + why], msg.time));
  },

  message(msg) {
    const mine = msg.ref ? pending.get(msg.ref) : undefined;
    if (mine) {
      // The echo of our own message: it reached everyone. Show the text as
      // the server cleaned it, and the server's time.
      pending.delete(msg.ref);
      mine.querySelector('.text').textContent = msg.text;
      mine.querySelector('time').replaceWith(timeEl(msg.time));
      setState(mine, 'delivered');
      return;
    }
    const own = msg.from === me;
    appendLine(messageItem(msg, own, own ? 'delivered' : ''), own);
    if (!own) countUnread();
  },

  notice(msg) {
    appendLine(eventItem('notice', [msg.text], msg.time));
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

// ---- The user list -----------------------------------------------------

function addMember({ name, transport }) {
  if (roster.has(name)) return;
  const item = el('li', 'member');
  item.dataset.testid = 'member';
  item.dataset.name = name;
  item.dataset.transport = transport;
  const avatar = el('span', 'avatar');
  avatar.setAttribute('aria-hidden', 'true');
  avatar.textContent = [...name][0].toUpperCase();
  avatar.style.setProperty('--hue', hue(name));
  const label = el('span', 'member-name');
  label.textContent = name;
  if (name === me) {
    const you = el('span', 'you');
    you.textContent = '(you)';
    label.append(' ', you);
  }
  const badge = el('span', `badge ${transport}`);
  badge.textContent = transport;
  badge.title = transport === 'telnet' ? 'Connected over telnet' : 'Connected from a browser';
  item.append(avatar, label, badge);
  ui.members.append(item);
  roster.set(name, item);
  ui.count.textContent = String(roster.size);
}

function removeMember(name) {
  roster.get(name)?.remove();
  roster.delete(name);
  ui.count.textContent = String(roster.size);
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
  const item = messageItem({ from: me, text, time: new Date().toISOString() }, true, 'pending');
  pending.set(ref, item);
  appendLine(item, true);
  send({ type: 'say', text, ref });
  ui.input.value = '';
  showHint('');
});

// Quit: close the socket with 1000 so the server frees the name at once,
// then post the logout form, which forgets the name and shows the login page.
ui.quit.addEventListener('submit', (e) => {
  e.preventDefault();
  if (quitting) return;
  quitting = true;
  clearTimeout(retryTimer);
  let done = false;
  const logout = () => {
    if (done) return;
    done = true;
    ui.quit.submit();
  };
  const sock = ws;
  if (sock) {
    sock.addEventListener('close', logout, { once: true });
    setTimeout(logout, 1000); // the server did not answer: go anyway
    sock.close(Close.normal, 'quit');
  } else {
    logout();
  }
});

ui.retry.addEventListener('click', retryNow);
window.addEventListener('online', retryNow);

ui.log.addEventListener('scroll', () => {
  if (atBottom()) {
    below = 0;
    ui.newMessages.hidden = true;
  }
});
ui.newMessages.addEventListener('click', () => {
  scrollToBottom();
  ui.input.focus();
});

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) {
    unread = 0;
    document.title = baseTitle;
  }
});

ui.peopleToggle.addEventListener('click', () => {
  const open = ui.peopleToggle.getAttribute('aria-expanded') !== 'true';
  ui.peopleToggle.setAttribute('aria-expanded', String(open));
  ui.people.classList.toggle('open', open);
});

connect();
ui.input.focus();
