// The composer: what the reader types and sends, the away button, and the
// hint line under them. Enter sends; Shift+Enter starts a new line, and a
// pasted block keeps its lines (docs/protocol.md: a message may have
// several, up to the welcome's maxTextLines). A message shows at once as pending, under a ref
// ("r1", "r2", …); its echo with that ref marks it delivered, an error with
// it marks it failed (docs/protocol.md §3, `message`).

import * as account from './account.js';
import * as connection from './connection.js';
import * as convs from './conversations.js';
import { $ } from './dom.js';
import * as log from './log.js';
import { me } from './session.js';

const form = $('composer');
const input = $('text');
const hint = $('composer-hint');
const away = $('away-toggle');
const encoder = new TextEncoder();

let maxTextBytes = Number($('app').dataset.maxTextBytes) || 4096;
let maxTextLines = 50; // the welcome says

let seq = 0; // for refs
let hintOffline = false; // the hint says we are not connected
const pending = new Map(); // ref → {item, log}: own message element awaiting its echo, and the log it is in
const lost = []; // {item, log}: own messages whose echo a lost connection kept from us

export function start() {
  form.addEventListener('submit', submit);
  input.addEventListener('keydown', (e) => {
    // Enter sends, as in a one-line input; Shift+Enter is a new line, and
    // so is Enter while an input method is composing a word.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      form.requestSubmit();
    }
  });
  input.addEventListener('keypress', (e) => {
    // The same Enter, when it comes as a key press of its own (as some
    // input tools and browser drivers send it), must not add a line either.
    if (e.key === 'Enter' && !e.shiftKey) e.preventDefault();
  });
  input.addEventListener('input', fit);
  away.addEventListener('click', () => {
    if (!connection.isLive()) {
      showOffline('Not connected.');
      return;
    }
    connection.send({ type: 'say', text: away.getAttribute('aria-pressed') === 'true' ? '/back' : '/away' });
  });
}

// setLimit takes the welcome's limits on a message's size.
export function setLimit(bytes, lines) {
  if (bytes > 0) maxTextBytes = bytes;
  if (lines > 0) maxTextLines = lines;
}

// fit makes the input as tall as its lines (the style sheet caps it).
function fit() {
  input.style.height = 'auto';
  input.style.height = `${input.scrollHeight + input.offsetHeight - input.clientHeight}px`;
}

export function focus() {
  input.focus();
}

// prefill puts text in the input, ready to go on typing after it.
export function prefill(text) {
  input.value = text;
  fit();
  input.focus();
  input.setSelectionRange(input.value.length, input.value.length);
}

export function showHint(text) {
  hint.textContent = text;
  hintOffline = false;
}

// showOffline says that something cannot be done while not connected: a
// hint that goes once the page is connected again (connected).
function showOffline(text) {
  showHint(text);
  hintOffline = true;
}

// connected takes back what was said about not being connected: it is no
// longer true.
export function connected() {
  if (hintOffline) showHint('');
}

// shown follows the conversation shown: the input says where a message
// goes.
export function shown(conv) {
  if (!conv) input.placeholder = 'Type /join #name to go into a room';
  else if (conv.kind === 'private') input.placeholder = `Message ${conv.name} privately… (Shift+Enter for a new line)`;
  else input.placeholder = `Message ${conv.name}… (Shift+Enter for a new line)`;
}

// showAway shows on the away button whether we are away.
export function showAway(isAway) {
  away.setAttribute('aria-pressed', String(isAway));
}

// A line starting with one "/" is a command (docs/protocol.md §4): the
// server answers it with events, so nothing is shown for it here. "//"
// sends a message that starts with "/".
function isCommand(text) {
  return text.startsWith('/') && !text.startsWith('//');
}

function submit(e) {
  e.preventDefault();
  const text = input.value;
  if (text.trim() === '') {
    input.value = ''; // nothing to say, and nothing worth keeping
    return;
  }
  if (account.command(text)) {
    // Its form asks for the password: nothing typed here is sent, nor kept.
    input.value = '';
    fit();
    showHint('');
    return;
  }
  const size = encoder.encode(text).length;
  if (size > maxTextBytes) {
    showHint(`That message is too long: ${size} bytes, and the limit is ${maxTextBytes}.`);
    return;
  }
  const lines = text.trim().split('\n').length;
  if (lines > maxTextLines) {
    showHint(`That message is too long: ${lines} lines, and the limit is ${maxTextLines}.`);
    return;
  }
  if (!connection.isLive()) {
    showOffline('Not connected. Your message stays here until you are back.');
    return;
  }
  const ref = `r${++seq}`;
  const conv = convs.current;
  if (conv?.kind === 'private') {
    // Said in a private conversation: a private message to that person,
    // which comes back as one when it is sent.
    const words = text.startsWith('//') ? text.slice(1) : text;
    connection.send({ type: 'say', text: isCommand(text) ? text : `/msg ${conv.name} ${words}`, ref });
  } else {
    if (!isCommand(text) && conv) {
      const shown = text.startsWith('//') ? text.slice(1) : text;
      const item = log.messageItem({ from: me, text: shown, time: new Date().toISOString() }, true, 'pending');
      pending.set(ref, { item, log: conv.log });
      conv.log.appendLine(item, true);
    }
    const joining = /^\/join\s+(\S+)/i.exec(text.trim());
    if (joining) convs.expect(joining[1]); // this tab shows the room it typed /join for
    const say = { type: 'say', text, ref };
    if (conv) say.room = conv.name;
    connection.send(say);
  }
  input.value = '';
  fit();
  showHint('');
}

// confirmOwn matches the echo of our own message to what we showed when we
// sent it: by ref on this connection, or by text for one whose echo a lost
// connection kept from us (it arrives again, without ref, when we resume).
// It says whether the echo was one of those.
export function confirmOwn(msg, inLog) {
  let mine = takePending(msg.ref);
  if (!mine && msg.own) {
    const i = lost.findIndex((m) => m.log === inLog && m.item.querySelector('.text').textContent === msg.text);
    if (i >= 0) mine = lost.splice(i, 1)[0];
  }
  if (!mine) return false;
  mine.log.delivered(mine.item, msg); // it reached everyone
  return true;
}

// refused shows that the server refused a request, marking our message
// failed if it was one.
export function refused(msg) {
  const mine = takePending(msg.ref);
  if (mine) log.setState(mine.item, 'failed', msg.text);
  showHint(msg.ref ? `Not sent: ${msg.text}.` : `The server said: ${msg.text}`);
}

// notSent marks our oldest message awaiting its echo as not sent, with
// why: the server said what we said reached nobody (we are muted). Says
// are answered in order, so it is that one.
export function notSent(why) {
  const first = pending.entries().next().value;
  if (!first) return;
  pending.delete(first[0]);
  log.setState(first[1].item, 'failed', why);
}

// takePending removes and returns our message awaiting the echo with this
// ref, if there is one, and its log: {item, log}.
function takePending(ref) {
  const mine = ref ? pending.get(ref) : undefined;
  if (mine) pending.delete(ref);
  return mine;
}

// connectionLost marks every message awaiting its echo as failed, and keeps
// them so that an echo that comes on resuming can still confirm them.
export function connectionLost() {
  for (const mine of pending.values()) {
    lost.push(mine);
    log.setState(mine.item, 'failed', 'Not delivered: the connection was lost.');
  }
  pending.clear();
}

// forgetLost gives up on them: the session was not resumed.
export function forgetLost() {
  lost.length = 0;
}
