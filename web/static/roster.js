// The user list: who is here, how they came (web or telnet), whether they are
// away and how long they have been idle. The welcome gives the list, or in a
// big room its first hundred and the count; live events change it (apply);
// replayed ones do not, since the welcome already counts them
// (docs/protocol.md §3, `welcome`). The rest of a big room's list comes from
// GET /roster when the reader scrolls to the end of the list or asks for it:
// a page that never looks costs the server nothing more, and a storm of
// joins (a restart) no more per page than a small room does.

import * as composer from './composer.js';
import { $, el, hue, userText } from './dom.js';
import { me, setMe } from './session.js';

// idleEveryMs is how often the idle times are brought up to date.
const idleEveryMs = 30000;

const members = $('members');
const count = $('member-count');
const people = $('people');
const peopleToggle = $('people-toggle');

const roster = new Map(); // name → {item, avatar, main, status, away, reason, lastActive}
let skewMs = 0; // the server's clock minus ours, from the welcome
let total = 0; // people in the room: the list shows them all, or the first ones
let welcomeAsOf = 0; // the ID the welcome's list is as of
// since holds the live changes to the list since the welcome while it shows
// only the first ones: GET /roster answers as of an ID, and what came after
// that is applied on top. null once the list is whole.
let since = null;
let fetching = false;

// more is the list's last line while it is not whole: a button that fetches
// the rest, pressed by itself when the reader scrolls to it.
const more = el('li', 'more');
const moreButton = el('button', 'button small');
moreButton.type = 'button';
moreButton.dataset.testid = 'members-more';
more.append(moreButton);
moreButton.addEventListener('click', fetchAll);
if ('IntersectionObserver' in window) {
  new IntersectionObserver((seen) => {
    if (seen.some((e) => e.isIntersecting)) fetchAll();
  }).observe(more);
}

export function start() {
  peopleToggle.addEventListener('click', () => {
    const open = peopleToggle.getAttribute('aria-expanded') !== 'true';
    peopleToggle.setAttribute('aria-expanded', String(open));
    people.classList.toggle('open', open);
  });
  setInterval(() => {
    for (const entry of roster.values()) showPresence(entry);
  }, idleEveryMs);
}

// setClock takes the server's time now, from the welcome, so that idle times
// do not depend on our clock.
export function setClock(time) {
  skewMs = Date.parse(time) - Date.now() || 0;
}

// reset replaces the list with the welcome's: list, the first of count
// people, as of event asOf.
export function reset(list, count = list.length, asOf = 0) {
  fill(list, count);
  welcomeAsOf = asOf;
  since = total > roster.size ? [] : null;
  showMore();
  composer.showAway(roster.get(me)?.away || false);
}

function fill(list, count) {
  roster.clear();
  members.replaceChildren();
  for (const m of list) addMember(m);
  total = count;
  showCount();
}

// fetchAll fetches the whole list and shows it, with the changes since.
async function fetchAll() {
  if (!since || fetching) return;
  fetching = true;
  moreButton.disabled = true;
  try {
    const res = await fetch('/roster', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    if (!res.ok) throw new Error(res.statusText);
    const page = await res.json();
    if (!since) return; // a new welcome meanwhile: it has its own list
    if (page.asOf < welcomeAsOf) {
      // An answer older than our own welcome: the server shares one per
      // second; the next is new enough.
      setTimeout(fetchAll, 1000);
      return;
    }
    const changes = since;
    since = null;
    fill(page.members, page.count);
    for (const msg of changes) if (msg.id > page.asOf) effects[msg.type](msg);
  } catch {
    // The button stays, to try again.
  } finally {
    fetching = false;
    moreButton.disabled = false;
    showMore();
  }
}

function showCount() {
  count.textContent = String(total);
  moreButton.textContent = `Show everyone (${total})`;
}

function showMore() {
  if (since) members.append(more); // last, below whoever joined meanwhile
  else more.remove();
}

// effects are what live events change besides the log: the user list, the
// idle times, our own name.
const effects = {
  joined(msg) {
    if (addMember({ name: msg.name, transport: msg.transport, lastActive: msg.time }) || since) total++;
    showCount();
    showMore();
  },
  left(msg) {
    removeMember(msg.name);
    total--;
    showCount();
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

// presence are the events that change who is listed and how.
const presence = new Set(['joined', 'left', 'renamed', 'away']);

// apply makes a live event's change to the list, if it makes one.
export function apply(msg) {
  if (since && presence.has(msg.type)) since.push(msg);
  effects[msg.type]?.(msg);
}

function serverNow() {
  return Date.now() + skewMs;
}

// addMember lists someone, and reports whether they were new to the list.
function addMember({ name, transport, away = false, awayReason = '', lastActive }) {
  if (roster.has(name)) return false;
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
  members.append(item);
  const entry = { item, avatar, main, status, away, reason: awayReason, lastActive: Date.parse(lastActive) || serverNow() };
  roster.set(name, entry);
  labelMember(name, entry);
  return true;
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
    label.dir = 'auto';
    label.title = name; // whole, where the list cuts it short
    const you = el('span', 'you');
    you.textContent = '(you)';
    label.append(name, ' ', you);
  } else {
    label = el('button', 'member-name');
    label.type = 'button';
    label.dataset.testid = 'member-name';
    label.dir = 'auto';
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
  const idle = idleText(serverNow() - entry.lastActive);
  status.replaceChildren(); // "away: REASON · idle 5m", the reason isolated
  if (entry.away) status.append('away', ...(entry.reason ? [': ', userText(entry.reason)] : []));
  if (idle) status.append(entry.away ? ' · ' : '', idle);
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
}

function renameMember(from, to) {
  const entry = roster.get(from);
  if (!entry) return;
  roster.delete(from);
  roster.set(to, entry);
  if (from === me) setMe(to); // so that the entry is labelled as ours
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
  if (name === me) composer.showAway(away);
}

function startPrivate(name) {
  composer.prefill(`/msg ${name} `);
  if (people.classList.contains('open')) peopleToggle.click();
}
