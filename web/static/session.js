// The session: who this page is in the room, and what it keeps so as to come
// back as the same person (docs/protocol.md §2, "Resume").
//
// The welcome gives the person's token, kept in localStorage so that every
// tab of this browser shares it. Each tab keeps what it has shown in each
// conversation (the last `keepEvents` events of each), their unread counts
// and the ID of the last event it received in sessionStorage, which
// survives a reload. A reloaded page shows what it had at once, then
// connects with the token (in a cookie for /ws) and ?after=ID, and the
// server sends exactly what it missed, in every room at once: IDs are one
// sequence for all of them.
//
// The rooms the person is in are kept in localStorage under its name, so
// that a fresh login (or a restarted server, which forgot them) joins them
// again.
//
// `me`, `lastId` and `quitting` are exported as live bindings: other modules
// read them, and only the functions here change them.

import { $ } from './dom.js';

// keepEvents is how many events a tab keeps of each conversation in
// sessionStorage to show again after a reload: a few screens; older ones
// come from GET /history.
const keepEvents = 200;

// The browser's login, whatever its name is now (/nick changes that): what
// it keeps is kept under it. The page's name in the room, `me`, starts as
// the server says it is now and follows the welcome and /nick.
const login = $('app').dataset.login || $('app').dataset.me.toLowerCase();
export let me = $('app').dataset.me;
export let lastId = 0; // the greatest ID received over the socket: ?after= on resume
export let quitting = false; // the session has ended: nothing more is kept

// kept holds, by conversation key, what to keep in sessionStorage: the
// conversation's name and kind, and its events, oldest first. counts gives
// each conversation's unread counts when the view is saved.
const kept = new Map();
let counts = () => ({});
let saveTimer = 0;

const meEl = $('me');
const quitForm = $('quit-form');

const tokenKey = 'anseo.token.' + login;
const viewKey = 'anseo.view';

// setMe follows our name in the room: the welcome's, then /nick's. The
// rooms kept under the old name go with it.
export function setMe(name) {
  const rooms = me !== name ? rememberedRooms() : null;
  me = name;
  if (rooms?.length) rememberRooms(rooms);
  meEl.textContent = name;
  meEl.title = name; // whole, where the header has room for only the start of it
}

// received notes the ID of an event that came over the socket.
export function received(id) {
  if (id > lastId) lastId = id;
}

// socketURL is where to connect: with the last ID received, if there is a
// token, so that the server resumes this person. The token itself goes in
// a cookie for /ws alone (URLs end up in proxies' logs, and a token must
// not), set again here, in case another login's tab changed it.
export function socketURL() {
  const url = new URL('/ws', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = storage('local')?.getItem(tokenKey) || '';
  setResumeCookie(token);
  if (token && lastId) url.searchParams.set('after', String(lastId));
  return url;
}

// setResumeCookie puts the token in the cookie /ws reads, or clears it.
// The browser stores a cookie the page writes on its own time: one written
// just before a connection may reach the cookie jar after the connection
// has gone without it, so the token is written as soon as the welcome
// gives it, long before a reload needs it.
function setResumeCookie(token) {
  const secure = location.protocol === 'https:';
  document.cookie = `anseo_resume=${encodeURIComponent(token)}; Path=/ws; SameSite=Strict` +
    (secure ? '; Secure' : '') + (token ? '' : '; Max-Age=0');
}

function storage(kind) {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage disabled: the page works, without resuming
  }
}

export function saveToken(token) {
  setResumeCookie(token);
  try {
    storage('local')?.setItem(tokenKey, token);
  } catch {
    // full or disabled: a reload then joins afresh
  }
}

export function saveView() {
  clearTimeout(saveTimer);
  saveTimer = 0;
  if (quitting) return;
  const unread = counts();
  const convs = [...kept.entries()].map(([key, c]) => ({ key, kind: c.kind, name: c.name, events: c.events, ...unread[key] }));
  try {
    storage('session')?.setItem(viewKey, JSON.stringify({ login, lastId, convs }));
  } catch {
    // full: the next reload shows less, and the server's replay still fills the gap
  }
}

// countUnread gives saveView the unread counts of each conversation, by
// key: {unread, mentions}.
export function countUnread(fn) {
  counts = fn;
}

// keep adds an event (or a divider) shown in a conversation's log to what
// a reload shows.
export function keep(conv, msg) {
  let c = kept.get(conv.key);
  if (!c) kept.set(conv.key, (c = { kind: conv.kind, name: conv.name, events: [] }));
  c.name = conv.name;
  c.events.push(msg);
  if (c.events.length > keepEvents) c.events.splice(0, c.events.length - keepEvents);
  changed();
}

// removed keeps the message with this ID as removed, for a reload: its
// text is gone.
export function removed(id) {
  for (const c of kept.values()) {
    const i = c.events.findIndex((msg) => msg.id === id);
    if (i >= 0) c.events[i] = { ...c.events[i], text: '', removed: true };
  }
  changed();
}

// changed saves the view soon: something a reload shows has changed.
export function changed() {
  if (!saveTimer) saveTimer = setTimeout(saveView, 200);
}

// rekey keeps what a conversation showed under its new key: the person we
// talk with privately changed their name.
export function rekey(oldKey, conv) {
  const c = kept.get(oldKey);
  if (!c) return;
  kept.delete(oldKey);
  kept.set(conv.key, { ...c, name: conv.name });
  changed();
}

// forget drops a conversation from what a reload shows: we left its room.
export function forget(key) {
  kept.delete(key);
  changed();
}

// restoreView hands each conversation this tab showed before a reload to
// show({key, kind, name, events, unread, mentions}), which returns the
// events it showed (and the conversation they are kept under), and keeps
// those again.
export function restoreView(show) {
  let saved = null;
  try {
    saved = JSON.parse(storage('session')?.getItem(viewKey) || 'null');
  } catch {
    return;
  }
  if (!saved || saved.login !== login || !Array.isArray(saved.convs)) return;
  for (const c of saved.convs) {
    if (!c || typeof c.key !== 'string' || typeof c.name !== 'string' || !Array.isArray(c.events)) continue;
    const [conv, events] = show(c);
    if (conv) kept.set(conv.key, { kind: conv.kind, name: conv.name, events });
  }
  lastId = Number(saved.lastId) || 0;
}

// forgetView starts the kept view again from nothing: the server did not
// resume our session, so its IDs may be another numbering.
export function forgetView() {
  lastId = 0;
  kept.clear();
  saveView();
}

// roomsKey is where the rooms we are in are kept: under our name, so that
// a new login as the same person finds them.
function roomsKey() {
  return 'anseo.rooms.' + me.normalize('NFKC').toLowerCase();
}

// rememberedRooms are the rooms we were in when this browser last knew.
export function rememberedRooms() {
  try {
    const rooms = JSON.parse(storage('local')?.getItem(roomsKey()) || '[]');
    return Array.isArray(rooms) ? rooms.filter((r) => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

// rememberRooms keeps the rooms we are in, for the next fresh join.
export function rememberRooms(rooms) {
  try {
    storage('local')?.setItem(roomsKey(), JSON.stringify(rooms));
  } catch {
    // full or disabled: a fresh join then starts in the default room alone
  }
}

// end ends the session for good: it forgets the token and this tab's view.
export function end() {
  quitting = true;
  clearTimeout(saveTimer);
  setResumeCookie('');
  storage('local')?.removeItem(tokenKey);
  storage('session')?.removeItem(viewKey);
  kept.clear();
}

// logout posts the logout form, which forgets the name and shows the login
// page.
export function logout() {
  quitForm.submit();
}

// backToLogin shows the login form with the name and why it was refused.
export function backToLogin(error) {
  location.assign('/?' + new URLSearchParams({ name: me, error }));
}
