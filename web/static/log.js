// The message logs: one for each conversation (a room, or the private
// messages with one person), each an element of the pane #messages, of
// which only the one shown is displayed. In each, an element for each
// event, put in ID order, each event shown once (de-duplicated by ID:
// IDs are one sequence for every room), following the conversation down
// only when the reader is at the bottom, and counting what arrived unseen.

import { markDays, relabelAtMidnight } from './days.js';
import { $, el, nameEl, textEl, timeEl, userText } from './dom.js';
import { removeButton, showRemoved } from './moderation.js';
import { mentionsMe } from './notify.js';

const pane = $('messages'); // scrolls; holds the logs, of which one is displayed
const newMessages = $('new-messages');
const baseTitle = document.title;

let shown = null; // the Log on screen
let unread = 0; // messages that arrived while the tab was hidden
let mentions = 0; // of them, those for us (notify.mentionsMe)

// start follows the reader's scrolling: onTop() when they near the top of
// the log shown, onNewMessages() after the "new messages" marker took them
// down.
export function start({ onTop, onNewMessages }) {
  pane.addEventListener('scroll', () => {
    if (!shown) return;
    if (shown.atBottom()) {
      shown.below = 0;
      newMessages.hidden = true;
    }
    if (pane.scrollTop < 40) onTop();
  });
  relabelAtMidnight(pane);
  newMessages.addEventListener('click', () => {
    shown?.scrollToBottom();
    onNewMessages();
  });
}

// canShow says whether there is a view for this type of event.
export function canShow(type) {
  return Object.hasOwn(views, type);
}

// views turn an event into its element in the log, for live events, replays
// and a reloaded tab alike. They change nothing else.
export const views = {
  message(msg) {
    return marked(messageItem(msg, Boolean(msg.own), 'delivered'), msg);
  },
  action(msg) {
    const text = userText(msg.text);
    text.classList.add('text');
    const item = eventItem('action', ['** ', nameEl(msg.from), ' ', text], msg.time);
    item.append(' ', removeButton());
    if (msg.own) item.classList.add('own');
    if (msg.removed) showRemoved(item);
    return marked(item, msg);
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
    item.append(meta, textEl(msg.text));
    return item;
  },
  joined(msg) {
    return eventItem('joined', [nameEl(msg.name), ' joined', transportSuffix(msg.transport)], msg.time);
  },
  left(msg) {
    const parts = [nameEl(msg.name), ' left'];
    if (msg.reason === 'too slow') parts.push(' (connection too slow)');
    if (msg.reason === 'part') parts.splice(1, 1, ' left ', msg.room ? userText(msg.room) : 'the room');
    if (msg.text) parts.push(': “', userText(msg.text), '”');
    return eventItem('left', parts, msg.time);
  },
  topic(msg) {
    if (!msg.text) return eventItem('topic', [nameEl(msg.name), ' cleared the topic'], msg.time);
    return eventItem('topic', [nameEl(msg.name), ' set the topic: “', userText(msg.text), '”'], msg.time);
  },
  renamed(msg) {
    return eventItem('renamed', [nameEl(msg.name), ' is now known as ', nameEl(msg.newName)], msg.time);
  },
  away(msg) {
    if (!msg.away) return eventItem('away', [nameEl(msg.name), ' is back'], msg.time);
    return eventItem('away', [nameEl(msg.name), ' is away', ...(msg.reason ? [': ', userText(msg.reason)] : [])], msg.time);
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
  // What an operator did: "alice was kicked by bob: spam". (A removal
  // shows in place of the message, not as a line.)
  moderation(msg) {
    return eventItem('moderation', [msg.says || ''], msg.time);
  },
  // Our name registered, or no longer: only our own pages show it.
  account(msg) {
    return eventItem('account', [msg.says || ''], msg.time);
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

// marked highlights an event that names us.
function marked(item, msg) {
  if (mentionsMe(msg)) {
    item.classList.add('mention');
    item.dataset.mention = 'true';
  }
  return item;
}

function transportSuffix(transport) {
  return transport === 'telnet' ? ' over telnet' : '';
}

// messageItem is a message said in the room; our own carry a tick that
// shows its state (setState).
export function messageItem(msg, own, state) {
  const item = el('article', own ? 'msg own' : 'msg');
  item.dataset.testid = 'message';
  item.dataset.from = msg.from;
  const meta = el('header', 'meta');
  meta.append(nameEl(msg.from), ' ', timeEl(msg.time));
  item.append(meta, textEl(msg.text));
  if (own) {
    const tick = el('span', 'tick');
    meta.append(' ', tick);
    setState(item, state || 'pending');
  }
  meta.append(' ', removeButton());
  if (msg.removed) showRemoved(item);
  return item;
}

const stateWords = { pending: 'Sending…', delivered: 'Delivered', failed: 'Not delivered' };
const stateMarks = { pending: '…', delivered: '✓', failed: '!' };

// setState shows where our own message is: pending, delivered or failed
// (with why).
export function setState(item, state, why) {
  item.dataset.state = state;
  const tick = item.querySelector('.tick');
  tick.textContent = stateMarks[state];
  tick.title = why || stateWords[state];
  tick.setAttribute('aria-label', tick.title);
}

// eventItem is a line about the room: parts are strings and elements.
export function eventItem(kind, parts, time) {
  const item = el('div', `event ${kind}`);
  item.dataset.testid = 'event';
  item.dataset.kind = kind;
  const text = el('span', 'event-text');
  text.append(...parts);
  item.append(text, ' ', timeEl(time));
  return item;
}

// Log is one conversation's log. While it is not shown its element stays
// in the pane, hidden, and keeps growing; showing it puts the reader back
// where they were in it (at the bottom, if they were there).
export class Log {
  // label names the log for screen readers ("Messages in #help").
  constructor(label) {
    this.label = label;
    this.box = el('div', 'conv-log');
    this.box.hidden = true;
    this.seen = new Set(); // IDs of the events shown
    this.maxId = 0; // the greatest ID shown
    this.below = 0; // messages that arrived while the reader was scrolled up
    this.stuck = true; // while hidden: the reader was at the bottom
    this.fromBottom = 0; // while hidden and not stuck: how far up they were
    pane.append(this.box);
  }

  // unseen records that the event with this ID is shown, and says whether
  // it was new. Lines without an ID (0: notices for us alone) are always
  // new.
  unseen(id) {
    if (!id) return true;
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    return true;
  }

  isShown() {
    return shown === this;
  }

  // show displays this log instead of the one shown.
  show() {
    if (shown === this) return;
    shown?.hide();
    shown = this;
    this.box.hidden = false;
    pane.setAttribute('aria-label', this.label);
    this.below = 0;
    newMessages.hidden = true;
    if (this.stuck) pane.scrollTop = pane.scrollHeight;
    else pane.scrollTop = pane.scrollHeight - this.fromBottom;
  }

  hide() {
    if (shown === this) {
      this.stuck = this.atBottom();
      this.fromBottom = pane.scrollHeight - pane.scrollTop;
      shown = null;
    }
    this.box.hidden = true;
  }

  // remove takes the log off the page for good.
  remove() {
    this.hide();
    this.box.remove();
  }

  atBottom() {
    if (shown !== this) return this.stuck;
    return pane.scrollHeight - pane.scrollTop - pane.clientHeight < 48;
  }

  scrollToBottom() {
    if (shown !== this) {
      this.stuck = true;
      return;
    }
    pane.scrollTop = pane.scrollHeight;
    this.below = 0;
    newMessages.hidden = true;
  }

  // place puts an event's element in the log in ID order: at the end, as
  // nearly every event goes, or before the first with a greater ID (older
  // history, a replay into a view that has later events). Elements without
  // an ID (our own lines, dividers) go at the end.
  place(item, id, follow = false) {
    if (id) item.dataset.id = String(id);
    if (id && id < this.maxId) {
      this.insertInOrder(item, id, this.box.firstElementChild);
      markDays(this.box);
      return;
    }
    if (id) this.maxId = Math.max(this.maxId, id);
    this.appendLine(item, follow);
  }

  // insertInOrder puts item before the first element from `from` on whose
  // ID is greater than id, and before the lines without an ID (a divider,
  // say) that lead up to that one. It returns that element, where the
  // search for a later ID can go on.
  insertInOrder(item, id, from) {
    let next = from;
    while (next && !(Number(next.dataset.id) > id)) next = next.nextElementSibling;
    let at = next;
    while (at?.previousElementSibling && !at.previousElementSibling.dataset.id) at = at.previousElementSibling;
    this.box.insertBefore(item, at);
    return next;
  }

  // appendLine adds to the log, following it down only if the reader was
  // at the bottom (or sent it); otherwise it offers a "new messages"
  // marker.
  appendLine(item, follow = false) {
    const stick = follow || this.atBottom();
    this.box.append(item);
    markDays(this.box);
    if (shown !== this) {
      if (follow) this.stuck = true;
      return;
    }
    if (stick) {
      this.scrollToBottom();
    } else {
      this.below++;
      newMessages.textContent = this.below === 1 ? 'New message ↓' : `${this.below} new messages ↓`;
      newMessages.hidden = false;
    }
  }

  // restore shows again what this log showed before a reload, and returns
  // the events it showed.
  restore(events) {
    const shownEvents = [];
    for (const msg of events) {
      if (!canShow(msg?.type) || !this.unseen(msg.id)) continue;
      this.place(views[msg.type](msg), msg.id);
      shownEvents.push(msg);
    }
    this.scrollToBottom();
    return shownEvents;
  }

  // showOlder puts saved events from GET /history above the oldest shown,
  // keeping in view what the reader was looking at.
  showOlder(events) {
    const fromBottom = pane.scrollHeight - pane.scrollTop;
    let from = this.box.firstElementChild;
    for (const ev of events) {
      if (!canShow(ev.type) || !this.unseen(ev.id)) continue;
      const item = views[ev.type](ev); // the server says which are our own
      item.dataset.id = String(ev.id);
      from = this.insertInOrder(item, ev.id, from);
      this.maxId = Math.max(this.maxId, ev.id);
    }
    markDays(this.box);
    if (shown === this) pane.scrollTop = pane.scrollHeight - fromBottom;
  }

  oldestId() {
    for (const item of this.box.children) if (item.dataset.id) return Number(item.dataset.id);
    return 0;
  }

  isEmpty() {
    return this.seen.size === 0;
  }

  // clear forgets everything the log shows: the server did not resume our
  // session, so its IDs may be another numbering (a restarted server).
  clear() {
    this.box.replaceChildren();
    this.seen.clear();
    this.maxId = 0;
  }

  // reveal scrolls to the event with this ID, if the log shows it, and
  // highlights it for a moment.
  reveal(id) {
    const item = this.box.querySelector(`[data-id="${CSS.escape(id)}"]`);
    if (!item) return;
    item.scrollIntoView({ block: 'center' });
    item.classList.add('found');
    setTimeout(() => item.classList.remove('found'), 2000);
  }

  // delivered marks our own message as the server passed it on: with the
  // text as the server cleaned it, the server's time and the event's ID.
  delivered(item, msg) {
    item.querySelector('.text').replaceWith(textEl(msg.text));
    item.querySelector('time').replaceWith(timeEl(msg.time));
    item.dataset.id = String(msg.id);
    this.maxId = Math.max(this.maxId, msg.id);
    setState(item, 'delivered');
  }
}

// countUnread counts a message in the tab's title while the tab is hidden:
// "(5) anseo"; those for us (mention) also apart, first: "@2 (5) anseo".
export function countUnread(mention) {
  if (!document.hidden) return;
  unread++;
  if (mention) mentions++;
  document.title = `${mentions ? `@${mentions} ` : ''}(${unread}) ${baseTitle}`;
}

// readAll clears the count: the tab is visible again.
export function readAll() {
  unread = 0;
  mentions = 0;
  document.title = baseTitle;
}
