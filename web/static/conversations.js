// The conversations this page shows: the rooms we are in and the people we
// have exchanged private messages with. Each has its own log (log.js), a
// room its user list (roster.js) and topic, and each its unread count and
// mentions in the sidebar. One at a time is shown, the one the page's URL
// names (/r/help for #help, /p/bob for bob, /chat for the default room),
// so that a room can be bookmarked, a link to one opens it (joining it if
// need be), and back and forward go from one to another. Alt+Up and
// Alt+Down go to the previous and next one in the sidebar. Each tab shows
// the conversation it likes: which one is shown is the tab's alone.

import * as connection from './connection.js';
import { $, el, hue } from './dom.js';
import { Log } from './log.js';
import { Roster, showNone } from './roster.js';
import * as session from './session.js';

export let defaultRoom = '#lobby'; // the welcome's `room`
export let current = null; // the conversation shown

const all = new Map(); // key (see roomKey, personKey) → conversation
const roomList = $('room-list');
const privateList = $('private-list');
const privateHeading = $('private-heading');
const sidebar = $('sidebar');
const roomsToggle = $('rooms-toggle');
const roomsUnread = $('rooms-unread');
const people = $('people');
const title = $('room-title');
const topicLine = $('room-topic');
const partButton = $('part');

let onShow = () => {};
// awaited is the key of the room this tab asked to join: it is shown as
// soon as we are in it.
let awaited = '';

// loose is how the page compares names: the server's rules are stricter
// (a look-alike is the same name), but a name in a URL or typed by the
// reader differs from the server's mostly by letter case and width.
export function loose(name) {
  return name.normalize('NFKC').toLowerCase();
}

// roomName gives a room's name its "#".
export function roomName(name) {
  return name.startsWith('#') ? name : '#' + name;
}

const roomKey = (name) => 'r:' + loose(roomName(name));
const personKey = (name) => 'p:' + loose(name);

// start wires the sidebar, the URL and the keys. onShow(conv) is told of
// every conversation shown.
export function start(handlers) {
  onShow = handlers.onShow;
  window.addEventListener('popstate', () => showFromLocation());
  document.addEventListener('keydown', (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      e.preventDefault();
      step(e.key === 'ArrowUp' ? -1 : 1);
    }
  });
  roomsToggle.addEventListener('click', () => setSidebarOpen(roomsToggle.getAttribute('aria-expanded') !== 'true'));
  partButton.addEventListener('click', () => {
    if (current?.kind !== 'room') return;
    if (!connection.isLive()) return;
    connection.send({ type: 'part', room: current.name });
  });
}

function setSidebarOpen(open) {
  roomsToggle.setAttribute('aria-expanded', String(open));
  sidebar.classList.toggle('open', open);
}

// room is the conversation of the room called name, made if create and
// there is none.
export function room(name, create = true) {
  const key = roomKey(name);
  return all.get(key) || (create ? make(key, 'room', roomName(name)) : null);
}

// person is the private conversation with name, made if create and there
// is none.
export function person(name, create = true) {
  const key = personKey(name);
  return all.get(key) || (create ? make(key, 'private', name) : null);
}

// rooms are the conversations of the rooms we are in.
export function rooms() {
  return [...all.values()].filter((c) => c.kind === 'room');
}

// each is every conversation, in the sidebar's order.
export function each() {
  return [...roomList.children, ...privateList.children].map((li) => all.get(li.dataset.key)).filter(Boolean);
}

function make(key, kind, name) {
  const conv = {
    key,
    kind,
    name,
    log: new Log(kind === 'room' ? `Messages in ${name}` : `Private messages with ${name}`),
    roster: kind === 'room' ? new Roster(name) : null,
    topic: '',
    unread: 0,
    mentions: 0,
    olderDone: false, // GET /history has nothing older (history.js)
  };
  if (conv.roster) {
    conv.roster.isDefault = key === roomKey(defaultRoom);
    conv.roster.logBox = conv.log.box;
  }
  makeItem(conv);
  all.set(key, conv);
  placeItem(conv);
  return conv;
}

// makeItem makes the conversation's entry in the sidebar: a link to its
// URL (so that it opens in a new tab as any link does), with its counts.
function makeItem(conv) {
  const item = el('li', 'conv');
  item.dataset.testid = 'conv';
  item.dataset.convKind = conv.kind; // not data-kind, which the log's lines have
  const link = el('a', 'conv-link');
  const mark = el('span', conv.kind === 'room' ? 'conv-mark' : 'conv-mark avatar');
  mark.setAttribute('aria-hidden', 'true');
  const name = el('span', 'conv-name');
  name.dir = 'auto';
  const mention = el('span', 'conv-mention');
  mention.dataset.testid = 'conv-mention';
  mention.hidden = true;
  const unread = el('span', 'conv-unread');
  unread.dataset.testid = 'conv-unread';
  unread.hidden = true;
  link.append(mark, name, mention, unread);
  link.addEventListener('click', (e) => {
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // a new tab or window: the browser's
    e.preventDefault();
    show(conv);
  });
  item.append(link);
  Object.assign(conv, { item, link, markEl: mark, nameEl: name, mentionEl: mention, unreadEl: unread });
  label(conv);
}

// label writes the conversation's name and counts in its entry.
function label(conv) {
  conv.item.dataset.key = conv.key;
  conv.item.dataset.name = conv.name;
  conv.link.href = urlOf(conv);
  if (conv.kind === 'room') {
    conv.markEl.textContent = '#';
    conv.nameEl.textContent = conv.name.slice(1);
  } else {
    conv.markEl.textContent = [...conv.name][0].toUpperCase();
    conv.markEl.style.setProperty('--hue', hue(conv.name));
    conv.nameEl.textContent = conv.name;
  }
  conv.unreadEl.textContent = String(conv.unread);
  conv.unreadEl.hidden = !conv.unread;
  conv.mentionEl.textContent = `@${conv.mentions}`;
  conv.mentionEl.hidden = !conv.mentions;
  conv.item.classList.toggle('unread', conv.unread > 0);
  const counts = [conv.unread && `${conv.unread} unread`, conv.mentions && `${conv.mentions} for you`].filter(Boolean);
  const what = conv.kind === 'room' ? conv.name : `${conv.name} (private)`;
  conv.link.setAttribute('aria-label', counts.length ? `${what}: ${counts.join(', ')}` : what);
  let total = 0;
  for (const c of all.values()) total += c.unread;
  roomsUnread.textContent = String(total);
  roomsUnread.hidden = !total;
}

// placeItem puts the entry in its list: the default room first, then by
// name.
function placeItem(conv) {
  const list = conv.kind === 'room' ? roomList : privateList;
  const rank = (c) => (c.key === roomKey(defaultRoom) ? '' : '\u0001' + loose(c.name));
  const before = [...list.children].find((li) => {
    const other = all.get(li.dataset.key);
    return other && other !== conv && rank(other).localeCompare(rank(conv)) > 0;
  });
  list.insertBefore(conv.item, before || null);
  privateHeading.hidden = privateList.children.length === 0;
}

// urlOf is the conversation's own URL.
export function urlOf(conv) {
  if (conv.kind === 'private') return '/p/' + encodeURIComponent(conv.name);
  if (conv.key === roomKey(defaultRoom)) return '/chat';
  return '/r/' + encodeURIComponent(conv.name.slice(1));
}

// samePath says whether two paths are one, however each is escaped.
function samePath(a, b) {
  try {
    return decodeURIComponent(a) === decodeURIComponent(b);
  } catch {
    return a === b;
  }
}

// fromLocation is the conversation the page's URL names: {kind, name}.
export function fromLocation() {
  const [, kind, rest] = location.pathname.match(/^\/([rp])\/([^/]+)$/) || [];
  let name = '';
  try {
    name = rest ? decodeURIComponent(rest) : '';
  } catch {
    // not a name: the default room
  }
  if (kind === 'r' && name) return { kind: 'room', name: roomName(name) };
  if (kind === 'p' && name) return { kind: 'private', name };
  return { kind: 'room', name: defaultRoom };
}

// show shows conv, the URL naming it (a new entry in the browser's history
// if push, else in place of the current one), unless keepURL: the URL names
// a room this tab is waiting to be in, shown as soon as it is.
export function show(conv, { push = true, keepURL = false } = {}) {
  if (!conv || !all.has(conv.key)) return;
  current = conv;
  for (const c of all.values()) {
    if (c === conv) c.link.setAttribute('aria-current', 'page');
    else c.link.removeAttribute('aria-current');
  }
  conv.log.show();
  if (conv.roster) conv.roster.show();
  else showNone();
  people.dataset.kind = conv.kind;
  title.textContent = conv.name;
  showTopic(conv);
  partButton.hidden = conv.kind !== 'room';
  partButton.title = `Leave ${conv.name}`;
  read(conv);
  const url = urlOf(conv);
  if (!keepURL && !samePath(location.pathname, url)) {
    const here = fromLocation();
    if (push && (here.kind === 'private' ? personKey(here.name) : roomKey(here.name)) !== conv.key) history.pushState(null, '', url);
    else history.replaceState(null, '', url);
  }
  setSidebarOpen(false);
  onShow(conv);
}

function showTopic(conv) {
  topicLine.textContent = conv.kind === 'room' ? conv.topic : 'Private messages: only the two of you see them.';
  topicLine.title = conv.topic;
  topicLine.hidden = !topicLine.textContent;
}

// showFromLocation shows the conversation the URL names. A room we are not
// in is joined, and shown once we are, if join (the reader asked for it:
// they typed or followed the URL, or went back to it); otherwise the URL
// is put right.
export function showFromLocation({ join: joinIt = true } = {}) {
  const want = fromLocation();
  if (want.kind === 'private') return show(person(want.name), { push: false });
  const conv = room(want.name, false);
  if (conv) return show(conv, { push: false });
  if (!current || !all.has(current.key)) show(room(defaultRoom, false) || rooms()[0], { push: false, keepURL: true });
  if (!connection.isLive()) return; // the welcome comes back here
  if (joinIt) join(want.name);
  else if (current) history.replaceState(null, '', urlOf(current));
}

// step shows the conversation by steps after the one shown in the sidebar
// (before it, if by is negative), round the end.
export function step(by) {
  const order = each();
  if (!order.length) return;
  const at = order.indexOf(current);
  show(order[(at + by + order.length) % order.length]);
}

// join shows the room, joining it first if we are not in it.
export function join(name) {
  const conv = room(name, false);
  if (conv) return show(conv);
  awaited = roomKey(name);
  ask(name);
}

// expect shows the room once we are in it: a /join typed in this tab.
export function expect(name) {
  const conv = room(name, false);
  if (conv) show(conv);
  else awaited = roomKey(name);
}

// asked are the rooms this connection asked to join and is not in yet:
// each is asked for once.
const asked = new Set();

// ask asks the server to let us into the room, unless we are in it or
// have asked already.
export function ask(name) {
  const key = roomKey(name);
  if (all.has(key) || asked.has(key) || !connection.isLive()) return;
  asked.add(key);
  connection.send({ type: 'join', room: roomName(name) });
}

// joinFailed gives up waiting for the room asked for: the server refused
// it. The URL names the conversation shown again.
export function joinFailed() {
  asked.clear();
  if (!awaited) return;
  awaited = '';
  if (current) history.replaceState(null, '', urlOf(current));
}

// joined takes the `room` message: we are in msg.room now, with its topic
// and people. The tab that asked for it shows it.
export function joined(msg) {
  asked.delete(roomKey(msg.room));
  const conv = room(msg.room);
  rename(conv, msg.room);
  conv.topic = msg.topic || '';
  conv.roster.reset(Array.isArray(msg.members) ? msg.members : [], msg.memberCount, msg.membersAsOf);
  rememberRooms();
  if (awaited === conv.key || !current) {
    awaited = '';
    show(conv);
  } else if (current === conv) {
    showTopic(conv);
  }
  return conv;
}

// setTopic follows a room's topic.
export function setTopic(conv, text) {
  conv.topic = text || '';
  if (current === conv) showTopic(conv);
}

// welcome takes the welcome: we are in rooms (the default room's people
// are the welcome's members; the others' come from GET /roster). The
// conversation shown may be gone: showFromLocation, next, shows another.
export function welcome(msg, inRooms) {
  defaultRoom = msg.room || '#lobby';
  asked.clear();
  const keys = new Set(inRooms.map(roomKey));
  for (const conv of rooms()) if (!keys.has(conv.key)) drop(conv, false);
  for (const name of inRooms) {
    const conv = room(name);
    rename(conv, name);
    conv.roster.isDefault = conv.key === roomKey(defaultRoom);
    if (conv.roster.isDefault && Array.isArray(msg.members)) {
      conv.roster.reset(msg.members, msg.memberCount ?? msg.members.length, msg.membersAsOf ?? 0);
    } else {
      conv.roster.unknown(msg.membersAsOf ?? 0);
    }
  }
}

// rename follows the name a conversation goes by: the server's spelling of
// a room, a person's new name.
function rename(conv, name) {
  if (conv.name === name) return;
  const oldKey = conv.key;
  conv.name = name;
  conv.key = conv.kind === 'room' ? roomKey(name) : personKey(name);
  if (oldKey !== conv.key) {
    all.delete(oldKey);
    all.set(conv.key, conv);
    session.rekey(oldKey, conv);
  }
  if (conv.roster) conv.roster.room = name;
  conv.log.label = conv.kind === 'room' ? `Messages in ${name}` : `Private messages with ${name}`;
  label(conv);
  placeItem(conv);
  if (current === conv) {
    title.textContent = name;
    history.replaceState(null, '', urlOf(conv));
  }
}

// renamed follows a person's new name in our private conversation with
// them, unless we already have one under the new name.
export function renamed(from, to) {
  const conv = person(from, false);
  if (conv && !person(to, false)) rename(conv, to);
}

// left takes our own departure from a room: it goes from every tab.
export function left(name) {
  const conv = room(name, false);
  if (!conv) return;
  drop(conv);
  rememberRooms();
}

// drop forgets a conversation; if it was shown, another is, if reshow.
function drop(conv, reshow = true) {
  all.delete(conv.key);
  conv.item.remove();
  conv.log.remove();
  conv.roster?.drop();
  session.forget(conv.key);
  privateHeading.hidden = privateList.children.length === 0;
  if (current !== conv) return;
  current = null;
  if (!reshow) return;
  const next = room(defaultRoom, false) || rooms()[0] || each()[0];
  if (next) show(next, { push: false });
  else showNothing();
}

// showNothing says that we are in no room and talk with nobody: we left
// every room. Browse, or /join, finds one.
function showNothing() {
  showNone();
  people.dataset.kind = 'none';
  title.textContent = 'No room';
  topicLine.textContent = 'You are in no room: Browse to find one, or type /join #name.';
  topicLine.hidden = false;
  partButton.hidden = true;
  onShow(null);
}

// clear forgets every conversation: the server did not resume our session.
export function clear() {
  for (const conv of [...all.values()]) drop(conv, false);
}

// rememberRooms keeps the rooms we are in for a fresh join (session.js).
function rememberRooms() {
  session.rememberRooms(rooms().map((c) => c.name));
}

// countNew counts a message that came to conv while the reader was not
// looking at it: mention, if it was for us.
export function countNew(conv, mention) {
  if (conv === current) return;
  conv.unread++;
  if (mention) conv.mentions++;
  label(conv);
  session.changed();
}

// read clears conv's counts: the reader is looking at it.
function read(conv) {
  if (!conv.unread && !conv.mentions) return;
  conv.unread = 0;
  conv.mentions = 0;
  label(conv);
  session.changed();
}

// unreadCounts are the counts a reload shows again, by key.
export function unreadCounts() {
  const counts = {};
  for (const c of all.values()) counts[c.key] = { unread: c.unread, mentions: c.mentions };
  return counts;
}

// restore makes a conversation this tab showed before a reload, from what
// session.js kept of it, and returns it with the events it shows.
export function restore(saved) {
  let conv = null;
  if (saved.kind === 'room' && saved.name.startsWith('#')) conv = room(saved.name);
  else if (saved.kind === 'private') conv = person(saved.name);
  if (!conv) return [null, []];
  const events = conv.log.restore(saved.events);
  conv.unread = Number(saved.unread) || 0;
  conv.mentions = Number(saved.mentions) || 0;
  label(conv);
  return [conv, events];
}

// whereListed are the rooms whose list shows name: where an event about
// that person alone (a rename, away and back, leaving the server) is
// shown.
export function whereListed(name) {
  return rooms().filter((c) => c.roster.has(name));
}
