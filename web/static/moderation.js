// Moderation from the page, for operators (docs/protocol.md §4,
// "Moderation"): a menu on each name in the user list (kick, mute or ban
// for a while, appoint) and a button on each message (remove), each of
// which sends the command it names, in the room shown, as if typed. Only
// an operator's page shows them (the user list marks us one: roster.js),
// and the server checks again. It also shows removed messages as removed,
// wherever they are on the page.

import * as connection from './connection.js';
import { $, el } from './dom.js';

const dialog = $('moderate-dialog');
const heading = $('moderate-heading');
const form = $('moderate-form');
const reason = $('moderate-reason');
const duration = $('moderate-duration');
const opButton = form.querySelector('[data-action=op]');
const deopButton = form.querySelector('[data-action=deop]');

// removedWords stand where a removed message's text was.
export const removedWords = 'message removed';

let target = null; // {name, room} the menu is open for
let onSent = () => {};
let currentRoom = () => null;

// start wires the menu and the remove buttons. currentRoom() is the room
// shown; onSent(hint) is told of each command sent.
export function start(handlers) {
  currentRoom = handlers.currentRoom;
  onSent = handlers.onSent;
  $('moderate-close').addEventListener('click', () => dialog.close());
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('click', (e) => {
    const action = e.target.closest('button[data-action]')?.dataset.action;
    if (action && target) act(action);
  });
  dialog.addEventListener('close', () => {
    target = null;
    handlers.onClose();
  });
  $('messages').addEventListener('click', (e) => {
    const button = e.target.closest('[data-testid=remove-message]');
    if (!button) return;
    const id = button.closest('[data-id]')?.dataset.id;
    const room = currentRoom();
    if (id && room) send(`/remove ${id}`, room);
  });
}

// openMenu opens the menu for name, listed in room; registered and
// roomOp say whether their name is registered (only those can be
// operators) and whether they are an operator of the room.
export function openMenu(name, room, { registered, roomOp }) {
  target = { name, room };
  heading.textContent = `Moderate ${name} in ${room}`;
  reason.value = '';
  opButton.hidden = roomOp || !registered;
  deopButton.hidden = !roomOp;
  dialog.showModal();
  reason.focus();
}

function act(action) {
  const { name, room } = target;
  const why = reason.value.replace(/\s+/g, ' ').trim();
  const words = [`/${action}`, name];
  if ((action === 'mute' || action === 'ban') && duration.value) words.push(duration.value);
  if ((action === 'kick' || action === 'mute' || action === 'ban') && why) words.push(why);
  if (send(words.join(' '), room)) dialog.close();
}

function send(text, room) {
  if (!connection.isLive()) {
    onSent('Not connected.');
    return false;
  }
  connection.send({ type: 'say', text, room });
  onSent('');
  return true;
}

// removeButton is the button an operator removes a message with; the
// style sheet shows it only in an operator's log.
export function removeButton() {
  const b = el('button', 'remove-message');
  b.type = 'button';
  b.dataset.testid = 'remove-message';
  b.textContent = 'Remove';
  b.title = 'Remove this message for everyone';
  return b;
}

// showRemoved puts "message removed" in place of an element's text: a
// message's, an action's or a search result's.
export function showRemoved(item) {
  item.dataset.removed = 'true';
  item.querySelector('[data-testid=remove-message]')?.remove();
  const text = item.querySelector('.text');
  if (!text) return;
  const p = el(text.tagName.toLowerCase(), 'text removed');
  p.textContent = removedWords;
  text.replaceWith(p);
}

// removeEverywhere shows the message with this ID as removed wherever the
// page shows it: in its log, in search results.
export function removeEverywhere(id) {
  for (const item of document.querySelectorAll(`[data-id="${CSS.escape(String(id))}"]`)) {
    if (item.matches('[data-testid=message], [data-kind=action], [data-testid=search-result]')) showRemoved(item);
  }
}
