// The saved history over HTTP (docs/protocol.md §7), when the server keeps
// one: older messages above the oldest shown in the conversation shown,
// our private conversations, and search in the room shown.

import * as composer from './composer.js';
import * as convs from './conversations.js';
import { $, el, nameEl, textEl, timeEl } from './dom.js';
import { showRemoved } from './moderation.js';

// historyPage is how many older messages one scroll to the top loads, and
// how many results one search shows.
const historyPage = 50;
// privatePage is how many private messages a fresh page loads to fill the
// sidebar's private conversations.
const privatePage = 200;

const loadOlderButton = $('load-older');
const searchForm = $('search-form');
const searchInput = $('search');
const searchPanel = $('search-panel');
const searchHeading = $('search-heading');
const searchResults = $('search-results');
const searchClose = $('search-close');

let historyOn = false; // the server keeps history: GET /history works
let loadingOlder = false;
// privates is what this page has of our private messages from GET
// /history/private: the oldest ID it has (the next page is before it),
// whether there are more, and whether it has asked at all.
const privates = { oldest: 0, more: true, asked: false, loading: false };

export function start() {
  loadOlderButton.addEventListener('click', loadOlder);
  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = searchInput.value.trim();
    if (q) search(q);
  });
  searchClose.addEventListener('click', closeSearch);
  searchPanel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeSearch();
  });
  searchResults.addEventListener('click', (e) => {
    // A result that is in the log: show it there.
    const id = e.target.closest('[data-testid=search-result]')?.dataset.id;
    if (id) convs.current?.log.reveal(id);
  });
}

// enable says whether the server keeps history (the welcome's `history`).
export function enable(on) {
  historyOn = on;
  shown();
}

// shown follows the conversation shown: its search, its earlier messages.
export function shown() {
  const conv = convs.current;
  searchForm.hidden = !historyOn || conv?.kind !== 'room';
  if (conv?.kind === 'room') searchInput.placeholder = `Search ${conv.name}…`;
  if (!searchPanel.hidden && searchPanel.dataset.key !== conv?.key) closeSearch(false);
  probeOlder();
}

// reset forgets what was loaded: the log starts again.
export function reset() {
  Object.assign(privates, { oldest: 0, more: true, asked: false });
}

async function getJSON(path) {
  const res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
  return body;
}

// fill loads what this tab lacks: withPrivate, our private messages. (The
// rooms' recent messages come over the socket: the default room's after
// the welcome, each other's after its `room` message.)
export async function fill(withPrivate) {
  if (!historyOn || !withPrivate || privates.asked) return;
  privates.asked = true;
  await loadPrivate(privatePage);
}

// loadPrivate puts the page of our private messages before the oldest we
// have into their conversations.
async function loadPrivate(n) {
  if (privates.loading || !privates.more) return;
  privates.loading = true;
  try {
    const q = new URLSearchParams({ n: String(n) });
    if (privates.oldest) q.set('before', String(privates.oldest));
    const page = await getJSON('/history/private?' + q);
    const byPerson = new Map();
    for (const ev of page.events) {
      if (ev.type !== 'private') continue;
      const conv = convs.person(ev.own ? ev.to : ev.from);
      if (!byPerson.has(conv)) byPerson.set(conv, []);
      byPerson.get(conv).push(ev);
      if (!privates.oldest || ev.id < privates.oldest) privates.oldest = ev.id;
    }
    for (const [conv, events] of byPerson) conv.log.showOlder(events);
    privates.more = Boolean(page.more);
  } catch {
    privates.asked = false; // not now: the next welcome asks again
  } finally {
    privates.loading = false;
  }
}

// probeOlder offers "Load earlier messages" only if there are some: for a
// room it asks for one saved message before the oldest shown.
export async function probeOlder() {
  loadOlderButton.hidden = true;
  const conv = convs.current;
  if (!historyOn || !conv) return;
  if (conv.kind === 'private') {
    loadOlderButton.hidden = !privates.more;
    return;
  }
  const first = conv.log.oldestId();
  if (!first) return;
  try {
    const page = await getJSON('/history?' + new URLSearchParams({ room: conv.name, before: String(first), n: '1' }));
    conv.olderDone = page.events.length === 0;
  } catch {
    conv.olderDone = false; // let the reader try, and see why it fails
  }
  if (conv === convs.current) loadOlderButton.hidden = !historyOn || conv.olderDone;
}

// loadOlder puts the page of saved messages before the oldest shown at the
// top of the log, keeping in view what the reader was looking at.
export async function loadOlder() {
  const conv = convs.current;
  if (!historyOn || !conv || loadingOlder) return;
  if (conv.kind === 'room' && conv.olderDone) return;
  loadingOlder = true;
  loadOlderButton.disabled = true;
  loadOlderButton.textContent = 'Loading…';
  try {
    if (conv.kind === 'private') {
      await loadPrivate(historyPage);
    } else {
      const q = new URLSearchParams({ room: conv.name, n: String(historyPage) });
      const first = conv.log.oldestId();
      if (first) q.set('before', String(first));
      const page = await getJSON('/history?' + q);
      conv.log.showOlder(page.events);
      conv.olderDone = !page.more;
    }
  } catch (err) {
    composer.showHint(`Could not load earlier messages: ${err.message}.`);
  } finally {
    loadingOlder = false;
    loadOlderButton.disabled = false;
    loadOlderButton.textContent = 'Load earlier messages';
    if (conv === convs.current) {
      loadOlderButton.hidden = !historyOn || (conv.kind === 'private' ? !privates.more : conv.olderDone);
    }
  }
}

// A query shorter than shortQuery characters cannot use the server's search
// index, and looks through the room's newest shortScan messages only
// (docs/limits.md); the heading says so.
const shortQuery = 3;
const shortScan = 10000;

async function search(q) {
  const conv = convs.current;
  if (conv?.kind !== 'room') return;
  searchResults.replaceChildren();
  searchPanel.dataset.key = conv.key;
  searchHeading.textContent = `Searching ${conv.name} for “${q}”…`;
  searchPanel.hidden = false;
  try {
    const page = await getJSON('/history/search?' + new URLSearchParams({ room: conv.name, q, n: String(historyPage) }));
    const n = page.events.length;
    searchHeading.textContent =
      (n === 0 ? `Nothing found in ${conv.name} for “${q}”` : `${n}${page.more ? '+' : ''} found in ${conv.name} for “${q}”`) +
      ([...q.trim()].length < shortQuery ? ` among its newest ${shortScan.toLocaleString()} messages (type three letters or more to search them all)` : '');
    for (const ev of page.events.reverse()) searchResults.append(resultItem(ev)); // newest first
  } catch (err) {
    searchHeading.textContent = `Search failed: ${err.message}`;
  }
  searchClose.focus();
}

function resultItem(ev) {
  const item = el('li', 'result');
  item.dataset.testid = 'search-result';
  item.dataset.id = String(ev.id);
  const meta = el('header', 'meta');
  meta.append(nameEl(ev.from), ' ', timeEl(ev.time));
  item.append(meta, textEl(ev.type === 'action' ? `** ${ev.from} ${ev.text}` : ev.text));
  if (ev.removed) showRemoved(item);
  return item;
}

function closeSearch(focus = true) {
  searchPanel.hidden = true;
  searchResults.replaceChildren();
  if (focus) searchInput.focus();
}
