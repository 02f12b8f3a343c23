// Registering a name from the page. /register, /password and /unregister
// typed in the message box open a form here instead of going out as a
// line: the password is typed where it does not show, twice, and goes to
// the server in a request of its own (docs/protocol.md §4, `register`),
// never in a message. The server's answer, `done` or an `error` with the
// request's ref, shows in the form.

import * as connection from './connection.js';
import { $ } from './dom.js';
import * as session from './session.js';

// minPassword is the server's shortest password, in characters (it has the
// last word: its error says so too).
const minPassword = 8;

const dialog = $('account-dialog');
const heading = $('account-heading');
const about = $('account-about');
const form = $('account-form');
const username = $('account-username');
const passwords = $('account-passwords');
const password = $('account-password');
const again = $('account-again');
const submitButton = $('account-submit');
const status = $('account-status');

// What each request's form says.
const kinds = {
  register: {
    heading: 'Register your name',
    about: (me) =>
      `Protect ${me} with a password: from then on nobody else can use it, here or over telnet, and this browser stays logged in to it for 30 days.`,
    button: 'Register',
  },
  password: {
    heading: 'Change your password',
    about: (me) => `A new password for ${me}. Your other logins stay logged in.`,
    button: 'Change password',
  },
  unregister: {
    heading: 'End your registration',
    about: (me) => `${me} will no longer need a password: anyone may take it once you leave.`,
    button: 'Unregister',
  },
};

let kind = ''; // the request the form is for
// swallowEnter: the Enter that sent the command opened the form, and its
// key press, still to come, must not submit the form at once.
let swallowEnter = false;
let waiting = ''; // the ref of the request sent, until its answer
let seq = 0;
let onDone = () => {};

// start wires the form. onDone(kind) is told of each request done.
export function start(handlers) {
  onDone = handlers.onDone;
  form.addEventListener('submit', submit);
  form.addEventListener('keypress', (e) => {
    if (swallowEnter && e.key === 'Enter') e.preventDefault();
  });
  document.addEventListener('keyup', (e) => {
    if (e.key === 'Enter') swallowEnter = false;
  });
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') swallowEnter = false;
  });
  $('account-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    password.value = '';
    again.value = '';
    handlers.onClose();
  });
}

// command opens the form if text is /register, /password or /unregister,
// and says whether it was: then nothing of it is sent (whatever followed
// the command is dropped: it may be a password).
export function command(text) {
  const m = /^\/(register|password|unregister)(?:\s|$)/i.exec(text.trim());
  if (!m) return false;
  open(m[1].toLowerCase());
  return true;
}

function open(which) {
  kind = which;
  const k = kinds[kind];
  heading.textContent = k.heading;
  about.textContent = k.about(session.me);
  username.value = session.me; // for password managers
  passwords.hidden = kind === 'unregister';
  password.value = '';
  again.value = '';
  submitButton.textContent = k.button;
  submitButton.disabled = false;
  submitButton.classList.toggle('danger', kind === 'unregister');
  status.textContent = '';
  dialog.dataset.kind = kind;
  swallowEnter = true;
  dialog.showModal();
  (kind === 'unregister' ? submitButton : password).focus();
}

function submit(e) {
  e.preventDefault();
  if (waiting) return;
  const req = { type: kind };
  if (kind !== 'unregister') {
    if ([...password.value].length < minPassword) return say(`The password needs at least ${minPassword} characters.`, password);
    if (password.value !== again.value) return say('The two passwords differ.', again);
    req.password = password.value;
  }
  if (!connection.isLive()) return say('Not connected: try again once you are back.');
  waiting = req.ref = `a${++seq}`;
  connection.send(req);
  submitButton.disabled = true;
  status.textContent = 'Just a moment…';
}

function say(text, field) {
  status.textContent = text;
  field?.focus();
}

// answer takes the server's answer to a request of this form, `done` or
// `error`, and says whether it was one.
export function answer(msg) {
  if (!waiting || msg.ref !== waiting) return false;
  waiting = '';
  submitButton.disabled = false;
  if (msg.type === 'done') {
    const done = kind;
    if (dialog.open) dialog.close();
    onDone(done);
  } else {
    password.value = '';
    again.value = '';
    say(msg.text, kind === 'unregister' ? submitButton : password);
  }
  return true;
}

// connectionLost gives up on the answer: the request may or may not have
// been done, which the user list's mark tells once the page is back.
export function connectionLost() {
  if (!waiting) return;
  waiting = '';
  submitButton.disabled = false;
  status.textContent = 'The connection was lost: if your name is not marked as you asked, try again once you are back.';
}
