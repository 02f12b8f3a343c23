// Finding rooms: the room browser, which lists every room on the server
// (GET /rooms) to join one or, by typing a new name, to create it; and the
// box Ctrl+K opens, which jumps to a room or private conversation by name
// as it is typed (or joins a room of that name).

import * as composer from './composer.js';
import * as convs from './conversations.js';
import { $, el, userText } from './dom.js';

const browser = $('room-browser');
const browseButton = $('browse-rooms');
const closeButton = $('room-browser-close');
const form = $('room-browser-form');
const filter = $('room-filter');
const createButton = $('room-create');
const status = $('room-browser-status');
const directory = $('room-directory');

const switcher = $('switcher');
const switcherInput = $('switcher-input');
const switcherList = $('switcher-list');

let listed = []; // the rooms GET /rooms last gave: {name, topic, memberCount}
let enabled = false; // the server has rooms to list (its welcome says which we are in)
let options = []; // the switcher's choices, as shown: {label, go}
let selected = 0;

// A room's name as the server takes it: "#" and a name of letters, digits,
// "_", "-" and "." (the server's rules are stricter; it has the last word).
const plausibleRoom = /^#?[\p{L}\p{M}\p{N}_.-]{1,32}$/u;

export function start() {
  browseButton.addEventListener('click', openBrowser);
  closeButton.addEventListener('click', () => browser.close());
  filter.addEventListener('input', showDirectory);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const typed = filter.value.trim();
    if (!typed) return;
    const match = listed.find((r) => convs.loose(r.name) === convs.loose(convs.roomName(typed)));
    go(match ? match.name : typed);
  });
  browser.addEventListener('close', () => composer.focus());

  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      openSwitcher();
    }
  });
  switcherInput.addEventListener('input', () => {
    selected = 0;
    showOptions();
  });
  switcherInput.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!options.length) return;
      selected = (selected + (e.key === 'ArrowDown' ? 1 : -1) + options.length) % options.length;
      markSelected();
    } else if (e.key === 'Enter') {
      e.preventDefault();
      choose(options[selected]);
    }
  });
  switcherList.addEventListener('click', (e) => {
    const item = e.target.closest('[role=option]');
    if (item) choose(options[Number(item.dataset.index)]);
  });
  switcher.addEventListener('close', () => composer.focus());
}

// enable says whether the server speaks of rooms (its welcome lists ours):
// only then does it answer GET /rooms.
export function enable(on) {
  enabled = on;
  browseButton.hidden = !on;
}

async function fetchRooms() {
  const res = await fetch('/rooms', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || `the server answered ${res.status}`);
  return Array.isArray(body.rooms) ? body.rooms : [];
}

// refreshTopics brings the topics of the rooms we are in up to date: a
// reload knows them only from here.
export async function refreshTopics() {
  if (!enabled) return;
  try {
    for (const r of await fetchRooms()) {
      const conv = convs.room(r.name, false);
      if (conv) convs.setTopic(conv, r.topic);
    }
  } catch {
    // the topics stay as they were
  }
}

async function openBrowser() {
  filter.value = '';
  directory.replaceChildren();
  createButton.hidden = true;
  status.textContent = 'Loading the rooms…';
  browser.showModal();
  filter.focus();
  try {
    listed = await fetchRooms();
    listed.sort((a, b) => b.memberCount - a.memberCount || a.name.localeCompare(b.name));
    showDirectory();
  } catch (err) {
    status.textContent = `Could not list the rooms: ${err.message}.`;
  }
}

// showDirectory lists the rooms whose name or topic has what is typed, and
// offers to create a room of the typed name if there is none.
function showDirectory() {
  const typed = filter.value.trim();
  const q = convs.loose(typed.replace(/^#/, ''));
  const found = listed.filter((r) => convs.loose(r.name).includes(q) || convs.loose(r.topic || '').includes(q));
  directory.replaceChildren(...found.map(directoryItem));
  const exists = listed.some((r) => convs.loose(r.name) === convs.loose(convs.roomName(typed)));
  const canCreate = typed !== '' && !exists && plausibleRoom.test(typed);
  createButton.hidden = !canCreate;
  createButton.textContent = canCreate ? `Create ${convs.roomName(typed)}` : 'Create';
  status.textContent =
    found.length === 0
      ? typed
        ? canCreate
          ? `No room is called ${convs.roomName(typed)} yet: press Enter to create it.`
          : 'No room matches, and a room’s name is letters, digits, “_”, “-” and “.”, up to 32.'
        : 'There are no rooms yet.'
      : `${found.length} ${found.length === 1 ? 'room' : 'rooms'}`;
}

function directoryItem(r) {
  const item = el('li', 'room-entry');
  item.dataset.testid = 'room-entry';
  item.dataset.name = r.name;
  const main = el('div', 'room-entry-main');
  const name = el('b', 'room-entry-name');
  name.dir = 'auto';
  name.textContent = r.name;
  const count = el('span', 'room-entry-count');
  count.textContent = r.memberCount === 1 ? '1 person' : `${r.memberCount} people`;
  main.append(name, ' ', count);
  if (r.topic) {
    const topic = el('p', 'room-entry-topic');
    topic.append(userText(r.topic));
    main.append(topic);
  }
  const inIt = Boolean(convs.room(r.name, false));
  const button = el('button', inIt ? 'button small' : 'button small primary');
  button.type = 'button';
  button.dataset.testid = 'room-join';
  button.textContent = inIt ? 'Open' : 'Join';
  button.setAttribute('aria-label', `${inIt ? 'Open' : 'Join'} ${r.name}`);
  button.addEventListener('click', () => go(r.name));
  item.append(main, button);
  return item;
}

// go shows the room, joining (or creating) it first if need be.
function go(name) {
  if (browser.open) browser.close();
  if (switcher.open) switcher.close();
  convs.join(name);
}

function openSwitcher() {
  if (switcher.open) return;
  switcherInput.value = '';
  selected = 0;
  showOptions();
  switcher.showModal();
  switcherInput.focus();
}

// showOptions lists the conversations whose name has what is typed, in the
// sidebar's order, and a room of the typed name to join if we are in none.
function showOptions() {
  const typed = switcherInput.value.trim();
  const q = convs.loose(typed.replace(/^[#@]/, ''));
  options = convs
    .each()
    .filter((c) => convs.loose(c.name).includes(q))
    .map((c) => ({ label: c.kind === 'room' ? c.name : `${c.name} (private)`, go: () => convs.show(c) }));
  if (enabled && typed && plausibleRoom.test(typed) && !convs.room(typed, false)) {
    const name = convs.roomName(typed);
    options.push({ label: `Join ${name}`, go: () => convs.join(name) });
  }
  switcherList.replaceChildren(
    ...options.map((o, i) => {
      const item = el('li', 'switcher-option');
      item.id = `switcher-option-${i}`;
      item.setAttribute('role', 'option');
      item.dataset.testid = 'switcher-option';
      item.dataset.index = String(i);
      item.dir = 'auto';
      item.textContent = o.label;
      return item;
    }),
  );
  markSelected();
}

function markSelected() {
  for (const item of switcherList.children) item.setAttribute('aria-selected', String(Number(item.dataset.index) === selected));
  if (options.length) switcherInput.setAttribute('aria-activedescendant', `switcher-option-${selected}`);
  else switcherInput.removeAttribute('aria-activedescendant');
}

function choose(option) {
  if (!option) return;
  switcher.close();
  option.go();
}
