// The session: who this page is in the room, and what it keeps so as to come
// back as the same person (docs/protocol.md §2, "Resume").
//
// The welcome gives the person's token, kept in localStorage so that every
// tab of this browser shares it. Each tab keeps what it has shown (the last
// `keepEvents` events) and the ID of the last event it received in
// sessionStorage, which survives a reload. A reloaded page shows what it had
// at once, then connects with the token (in a cookie for /ws) and ?after=ID,
// and the server sends exactly what it missed.
//
// `me`, `lastId` and `quitting` are exported as live bindings: other modules
// read them, and only the functions here change them.

import { $ } from './dom.js';

// keepEvents is how many events a tab keeps in sessionStorage to show again
// after a reload: a few screens; older ones come from GET /history.
const keepEvents = 200;

// The browser's login, whatever its name is now (/nick changes that): what
// it keeps is kept under it. The page's name in the room, `me`, starts as
// the server says it is now and follows the welcome and /nick.
const login = $('app').dataset.login || $('app').dataset.me.toLowerCase();
export let me = $('app').dataset.me;
export let lastId = 0; // the greatest ID received over the socket: ?after= on resume
export let quitting = false; // the session has ended: nothing more is kept

const kept = []; // the events to keep in sessionStorage, oldest first
let saveTimer = 0;

const meEl = $('me');
const quitForm = $('quit-form');

const tokenKey = 'anseo.token.' + login;
const viewKey = 'anseo.view';

// setMe follows our name in the room: the welcome's, then /nick's.
export function setMe(name) {
  me = name;
  meEl.textContent = name;
  meEl.title = name; // whole, where the header has room for only the start of it
}

// received notes the ID of an event that came over the socket.
export function received(id) {
  if (id > lastId) lastId = id;
}

// socketURL is where to connect: with the last ID received, if there is a
// token, so that the server resumes this person. The token itself goes in
// a cookie for /ws alone, set here just before each connection (or cleared,
// without one): URLs end up in proxies' logs, and a token must not.
export function socketURL() {
  const url = new URL('/ws', location.href);
  const secure = location.protocol === 'https:';
  url.protocol = secure ? 'wss:' : 'ws:';
  const token = storage('local')?.getItem(tokenKey) || '';
  document.cookie = `anseo_resume=${encodeURIComponent(token)}; Path=/ws; SameSite=Strict` +
    (secure ? '; Secure' : '') + (token ? '' : '; Max-Age=0');
  if (token && lastId) url.searchParams.set('after', String(lastId));
  return url;
}

function storage(kind) {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    return null; // storage disabled: the page works, without resuming
  }
}

export function saveToken(token) {
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
  try {
    storage('session')?.setItem(viewKey, JSON.stringify({ login, lastId, events: kept }));
  } catch {
    // full: the next reload shows less, and the server's replay still fills the gap
  }
}

// keep adds an event (or a divider) shown in the log to what a reload shows.
export function keep(msg) {
  kept.push(msg);
  if (kept.length > keepEvents) kept.splice(0, kept.length - keepEvents);
  if (!saveTimer) saveTimer = setTimeout(saveView, 200);
}

// restoreView hands what this tab showed before a reload to show(events),
// which returns the events it showed, and keeps those again.
export function restoreView(show) {
  let saved = null;
  try {
    saved = JSON.parse(storage('session')?.getItem(viewKey) || 'null');
  } catch {
    return;
  }
  if (!saved || saved.login !== login || !Array.isArray(saved.events)) return;
  kept.push(...show(saved.events));
  lastId = Number(saved.lastId) || 0;
}

// forgetView starts the kept view again from nothing: the server did not
// resume our session, so its IDs may be another numbering.
export function forgetView() {
  lastId = 0;
  kept.length = 0;
  saveView();
}

// end ends the session for good: it forgets the token and this tab's view.
export function end() {
  quitting = true;
  clearTimeout(saveTimer);
  storage('local')?.removeItem(tokenKey);
  storage('session')?.removeItem(viewKey);
  kept.length = 0;
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
