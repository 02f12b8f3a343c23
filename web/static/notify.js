// Mentions: a message that names us (the server says whom each names, as
// names compare: docs/protocol.md, `message`) or a private message to us.
// They stand out in the log, count apart in the tab's title, and, if the
// reader asked for it with the bell in the header (never unasked, never on
// load), bring a desktop notification while the tab is hidden.

import { $ } from './dom.js';
import { me } from './session.js';

const toggle = $('notify-toggle');
const enabledKey = 'anseo.notify';
const supported = 'Notification' in window;

// mentionsMe says whether msg, a room event, is for us in particular.
export function mentionsMe(msg) {
  if (msg.own) return false;
  if (msg.type === 'private') return true;
  return (msg.type === 'message' || msg.type === 'action') && Array.isArray(msg.mentions) && msg.mentions.includes(me);
}

export function start() {
  if (!supported) return; // the bell stays hidden
  toggle.hidden = false;
  toggle.addEventListener('click', async () => {
    if (Notification.permission === 'default') {
      await Notification.requestPermission();
      setEnabled(Notification.permission === 'granted');
    } else {
      setEnabled(!enabled());
    }
    show();
  });
  show();
}

// alert shows a desktop notification for msg, a live mention, if the reader
// asked for them and the tab is hidden (a visible tab shows it already).
export function alert(msg) {
  if (!supported || !document.hidden || !enabled() || Notification.permission !== 'granted') return;
  const title = msg.type === 'private' ? `${msg.from} (private)` : `${msg.from} mentioned you`;
  const n = new Notification(title, { body: msg.text, tag: `anseo-${msg.id}` });
  n.addEventListener('click', () => {
    window.focus();
    n.close();
  });
}

function enabled() {
  try {
    return localStorage.getItem(enabledKey) === 'on';
  } catch {
    return false;
  }
}

function setEnabled(on) {
  try {
    localStorage.setItem(enabledKey, on ? 'on' : 'off');
  } catch {
    // storage disabled: the choice lasts as long as the page shows it
  }
}

// show says on the bell what it does now.
function show() {
  const permission = Notification.permission;
  const on = permission === 'granted' && enabled();
  toggle.setAttribute('aria-pressed', String(on));
  toggle.title =
    permission === 'denied'
      ? 'Notifications are blocked in this browser’s site settings'
      : on
        ? 'Notifying you of mentions and private messages while this tab is hidden; click to stop'
        : 'Notify me of mentions and private messages while this tab is hidden';
  toggle.disabled = permission === 'denied';
}
