// The user lists: one for each room, who is in it, how they came (web or
// telnet), whether they are away and how long they have been idle. Only
// the shown room's list is on the page (#members); the others are kept
// aside, up to date. A room's list starts from the welcome (the default
// room's) or the `room` message that says we joined (or, for the rooms of
// a new tab, GET /roster?room=), or in a big room its first hundred and
// the count; live events change it (apply); replayed ones do not, since
// the list already counts them (docs/protocol.md §3, `welcome`). The rest
// of a big room's list comes from GET /roster when the reader scrolls to
// the end of the list or asks for it: a page that never looks costs the
// server nothing more, and a storm of joins (a restart) no more per page
// than a small room does.

import * as composer from './composer.js';
import { $, el, hue, userText } from './dom.js';
import { openMenu } from './moderation.js';
import { me } from './session.js';

// idleEveryMs is how often the idle times are brought up to date.
const idleEveryMs = 30000;

const count = $('member-count');
const people = $('people');
const peopleToggle = $('people-toggle');

const lists = new Set(); // every room's Roster
let shown = null; // the Roster whose list is on the page
let skewMs = 0; // the server's clock minus ours, from the welcome

// The "more" line of a list that is not whole fetches the rest when the
// reader scrolls to it.
const moreSeen =
  'IntersectionObserver' in window
    ? new IntersectionObserver((seen) => {
        for (const e of seen) if (e.isIntersecting) e.target.roster?.fetchAll();
      })
    : null;

export function start() {
  peopleToggle.addEventListener('click', () => {
    const open = peopleToggle.getAttribute('aria-expanded') !== 'true';
    peopleToggle.setAttribute('aria-expanded', String(open));
    people.classList.toggle('open', open);
  });
  setInterval(() => {
    for (const list of lists) for (const entry of list.entries.values()) showPresence(entry);
  }, idleEveryMs);
}

// setClock takes the server's time now, from the welcome, so that idle times
// do not depend on our clock.
export function setClock(time) {
  skewMs = Date.parse(time) - Date.now() || 0;
}

// showNone shows no list: a private conversation has none.
export function showNone() {
  shown?.hide();
  count.textContent = '';
}

// awayNow says whether any list shows us away: away is ours, whatever the
// room.
function awayNow() {
  for (const list of lists) {
    const entry = list.entries.get(me);
    if (entry) return entry.away;
  }
  return false;
}

// Roster is one room's user list.
export class Roster {
  // room is the room's name, for GET /roster?room=.
  constructor(room) {
    this.room = room;
    this.entries = new Map(); // name → {item, avatar, main, status, away, reason, lastActive}
    this.ul = el('ul', 'members');
    this.ul.dataset.testid = 'members';
    this.ul.setAttribute('aria-labelledby', 'people-heading');
    this.total = 0; // people in the room: the list shows them all, or the first ones
    this.asOf = 0; // the ID the list is as of
    // since holds the live changes to the list since it was given while it
    // shows only the first ones: GET /roster answers as of an ID, and what
    // came after that is applied on top. null once the list is whole.
    this.since = null;
    this.fetching = false;
    this.more = el('li', 'more');
    this.moreButton = el('button', 'button small');
    this.moreButton.type = 'button';
    this.moreButton.dataset.testid = 'members-more';
    this.more.append(this.moreButton);
    this.more.roster = this;
    this.moreButton.addEventListener('click', () => this.fetchAll());
    moreSeen?.observe(this.more);
    lists.add(this);
    // logBox is the room's log, which shows operators a remove button on
    // each message (conversations.js sets it).
    this.logBox = null;
  }

  // show puts this list on the page in place of the one there.
  show() {
    if (shown !== this) {
      const there = $('members');
      there?.removeAttribute('id');
      this.ul.id = 'members';
      if (there) there.replaceWith(this.ul);
      else people.append(this.ul);
      shown = this;
    }
    this.showCount();
  }

  hide() {
    if (shown !== this) return;
    const placeholder = el('ul', 'members');
    placeholder.dataset.testid = 'members';
    placeholder.hidden = true;
    this.ul.removeAttribute('id');
    placeholder.id = 'members';
    this.ul.replaceWith(placeholder);
    shown = null;
  }

  // drop forgets the list: we left its room.
  drop() {
    this.hide();
    moreSeen?.unobserve(this.more);
    lists.delete(this);
  }

  has(name) {
    return this.entries.has(name);
  }

  // reset replaces the list: list, the first of count people, as of event
  // asOf.
  reset(list, count = list.length, asOf = 0) {
    this.fill(list, count);
    this.asOf = asOf;
    this.since = this.total > this.entries.size ? [] : null;
    this.showMore();
    composer.showAway(awayNow());
  }

  // unknown empties the list until the room's `room` message, which the
  // server sends after the welcome for each room but the default one,
  // fills it (or GET /roster, if the reader asks). Live events after asOf
  // are kept for it meanwhile.
  unknown(asOf) {
    this.fill([], 0);
    this.asOf = asOf;
    this.since = [];
    this.showMore();
  }

  fill(list, count) {
    this.entries.clear();
    this.ul.replaceChildren();
    for (const m of list) this.addMember(m);
    this.total = count;
    this.showCount();
    this.showModerator();
  }

  // canModerate says whether we are an operator here: of the server, or of
  // this room, as the list marks us.
  canModerate() {
    const mine = this.entries.get(me);
    return Boolean(mine && (mine.operator || mine.roomOp));
  }

  // showModerator shows an operator the menus on names and the remove
  // buttons on messages; others do not see them.
  showModerator() {
    const can = this.canModerate();
    this.ul.classList.toggle('can-moderate', can);
    this.logBox?.classList.toggle('can-moderate', can);
  }

  // setMarks changes how a person is marked: registered, operator (of the
  // server), roomOp (of this room).
  setMarks(name, marks) {
    const entry = this.entries.get(name);
    if (!entry) return;
    Object.assign(entry, marks);
    showMarks(entry);
    if (name === me) this.showModerator();
  }

  // fetchAll fetches the whole list and shows it, with the changes since.
  async fetchAll() {
    if (!this.since || this.fetching) return;
    this.fetching = true;
    this.moreButton.disabled = true;
    try {
      const q = new URLSearchParams({ room: this.room });
      const res = await fetch('/roster?' + q, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(res.statusText);
      const page = await res.json();
      if (!this.since) return; // a new list meanwhile: it has its own
      if (page.asOf < this.asOf) {
        // An answer older than our own list: the server shares one per
        // second; the next is new enough.
        setTimeout(() => this.fetchAll(), 1000);
        return;
      }
      const changes = this.since;
      this.since = null;
      this.fill(page.members, page.count);
      for (const msg of changes) if (msg.id > page.asOf) this.effects[msg.type]?.call(this, msg);
      composer.showAway(awayNow());
    } catch {
      // The button stays, to try again.
    } finally {
      this.fetching = false;
      this.moreButton.disabled = false;
      this.showMore();
    }
  }

  showCount() {
    if (shown === this) count.textContent = String(this.total);
    this.moreButton.textContent = this.total ? `Show everyone (${this.total})` : 'Show everyone';
  }

  showMore() {
    if (this.since) this.ul.append(this.more); // last, below whoever joined meanwhile
    else this.more.remove();
  }

  // apply makes a live event's change to the list, if it makes one.
  apply(msg) {
    if (this.since && presence.has(msg.type)) this.since.push(msg);
    this.effects[msg.type]?.call(this, msg);
  }

  // addMember lists someone, and reports whether they were new to the list.
  addMember({ name, transport, away = false, awayReason = '', lastActive, registered = false, operator = false, roomOp = false }) {
    if (this.entries.has(name)) return false;
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
    if (this.more.parentNode === this.ul) this.ul.insertBefore(item, this.more);
    else this.ul.append(item);
    const marks = el('span', 'member-marks');
    marks.dataset.testid = 'member-marks';
    const menu = el('button', 'member-menu');
    menu.type = 'button';
    menu.dataset.testid = 'member-menu';
    menu.textContent = '⋯';
    menu.addEventListener('click', () => {
      const them = this.entries.get(item.dataset.name);
      openMenu(item.dataset.name, this.room, { registered: Boolean(them?.registered), roomOp: Boolean(them?.roomOp) });
    });
    item.append(menu);
    const entry = {
      item,
      avatar,
      main,
      status,
      marks,
      menu,
      away,
      reason: awayReason,
      lastActive: Date.parse(lastActive) || serverNow(),
      registered: Boolean(registered),
      operator: Boolean(operator),
      roomOp: Boolean(roomOp),
    };
    this.entries.set(name, entry);
    labelMember(name, entry);
    showMarks(entry);
    if (name === me) this.showModerator();
    return true;
  }

  removeMember(name) {
    this.entries.get(name)?.item.remove();
    return this.entries.delete(name);
  }

  renameMember(from, to) {
    const entry = this.entries.get(from);
    if (!entry) return;
    this.entries.delete(from);
    this.entries.set(to, entry);
    labelMember(to, entry);
  }

  touch(name, time) {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.lastActive = Date.parse(time) || serverNow();
    showPresence(entry);
  }

  setAway(name, away, reason) {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.away = away;
    entry.reason = away ? reason : '';
    showPresence(entry);
    if (name === me) composer.showAway(away);
  }
}

// presence are the events that change who is listed and how.
const presence = new Set(['joined', 'left', 'renamed', 'away', 'account', 'moderation']);

// effects are what live events change in a list besides the log: who is
// in it, the idle times, our own name. `this` is the Roster.
Roster.prototype.effects = {
  joined(msg) {
    const person = { name: msg.name, transport: msg.transport, lastActive: msg.time, registered: msg.registered, operator: msg.operator, roomOp: msg.roomOp };
    if (this.addMember(person) || this.since) this.total++;
    this.showCount();
    this.showMore();
  },
  left(msg) {
    // Someone who left the server (no room) left every list; a list that
    // is not whole counts them out only if it listed them, or is the
    // default room's, which everyone comes to.
    if (this.removeMember(msg.name) || (this.since && (msg.room || this.isDefault))) this.total--;
    this.showCount();
  },
  message(msg) {
    this.touch(msg.from, msg.time);
  },
  action(msg) {
    this.touch(msg.from, msg.time);
  },
  private(msg) {
    this.touch(msg.from, msg.time);
  },
  renamed(msg) {
    // Our own new name is set before (protocol.js), so that the entry is
    // labelled as ours.
    this.renameMember(msg.name, msg.newName);
    this.touch(msg.newName, msg.time);
  },
  away(msg) {
    this.setAway(msg.name, msg.away, msg.reason || '');
    if (!msg.away) this.touch(msg.name, msg.time);
  },
  account(msg) {
    this.setMarks(msg.name, { registered: Boolean(msg.registered) });
  },
  // An operator appointed or dismissed: of this room (the event's room is
  // this list's, protocol.js sees to it), or of the server.
  moderation(msg) {
    if (msg.action !== 'op' && msg.action !== 'deop') return;
    const op = msg.action === 'op';
    this.setMarks(msg.target, msg.room ? { roomOp: op } : { operator: op });
  },
};

// markWords say what each mark means, for its title and screen readers.
const markWords = { operator: 'server operator', roomOp: 'operator of this room', registered: 'registered name' };
const markSigns = { operator: '★', roomOp: '@', registered: '✓' };

// showMarks shows whether a person is an operator (of the server, of the
// room) and whether their name is registered.
function showMarks(entry) {
  const { item, marks } = entry;
  item.dataset.registered = String(entry.registered);
  item.dataset.operator = String(entry.operator);
  item.dataset.roomOp = String(entry.roomOp);
  marks.replaceChildren();
  const which = ['operator', 'roomOp', 'registered'].filter((k) => entry[k]);
  for (const k of which) {
    const mark = el('span', `mark ${k}`);
    mark.textContent = markSigns[k];
    mark.title = markWords[k][0].toUpperCase() + markWords[k].slice(1);
    mark.setAttribute('aria-label', markWords[k]);
    marks.append(mark);
  }
  marks.hidden = which.length === 0;
}

function serverNow() {
  return Date.now() + skewMs;
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
  const line = el('span', 'member-line');
  line.append(label, entry.marks);
  entry.menu.setAttribute('aria-label', `Moderate ${name}`);
  entry.menu.title = `Moderate ${name}`;
  entry.menu.hidden = name === me;
  entry.main.replaceChildren(line, entry.status);
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

function startPrivate(name) {
  composer.prefill(`/msg ${name} `);
  if (people.classList.contains('open')) peopleToggle.click();
}
