// The protocol of docs/protocol.md: what each server message does (the
// `handlers` table, one entry per type of §3), what each close code means
// (§5), and leaving. The other modules do the work; this one decides which.

import * as composer from './composer.js';
import * as connection from './connection.js';
import * as history from './history.js';
import * as log from './log.js';
import * as notify from './notify.js';
import * as roster from './roster.js';
import * as session from './session.js';

// Close codes: docs/protocol.md §5. The page acts on the code alone; the
// reason that comes with it is for people.
const Close = {
  normal: 1000,
  goingAway: 1001,
  abnormal: 1006, // no close frame: the connection dropped, or could not be made
  serverFull: 1013, // "try again later", which the server says only when it is full
  nameTaken: 4001,
  nameInvalid: 4002,
  notLoggedIn: 4003,
  tooSlow: 4008,
  moved: 4009,
  unavailable: 4013,
  clusterLost: 4014,
  tooMany: 4029,
};

// reconnectWords say why the page is reconnecting, by close code; any other
// code (1006, a dropped connection, above all) is 'Connection lost.'. A
// shutdown (1001) has restartWords, below.
const reconnectWords = {
  [Close.serverFull]: 'The server is full.',
  [Close.tooSlow]: 'Your connection fell behind.',
  [Close.unavailable]: 'The chat is briefly unavailable.',
  [Close.clusterLost]: 'The chat is briefly unavailable.',
  [Close.tooMany]: 'Too many connections from your address.',
};

// restartWords stay in the banner from a shutdown's close until the server
// is back: attempts that find it still down change nothing the reader needs
// to know. shutdownWords go in the log, as the line port says them.
const restartWords = 'The server is restarting; reconnecting…';
const shutdownWords = 'Server is shutting down.';

let welcomedOnce = false;
let restarting = false; // the server said it was stopping, and is not back yet
let replay = null; // {kind, marked} while the server replays events
// reconnected is the "Reconnected." line while the replay that follows the
// welcome may still come: it is moved below what the replay brings, to the
// end of the log, where the reader is.
let reconnected = null;

// handle acts on one server message. Unknown types are ignored, as the
// protocol asks.
export function handle(msg) {
  const handler = msg && Object.hasOwn(handlers, msg.type) ? handlers[msg.type] : undefined;
  if (handler) handler(msg);
}

const handlers = {
  welcome(msg) {
    const again = welcomedOnce;
    welcomedOnce = true;
    composer.setLimit(msg.maxTextBytes, msg.maxTextLines);
    if (msg.token) session.saveToken(msg.token);
    roster.setClock(msg.time);
    if (!msg.resumed) resetView();
    session.setMe(msg.you);
    history.enable(Boolean(msg.history));
    connection.welcomed();
    composer.connected();
    restarting = false;
    roster.reset(msg.members, msg.memberCount, msg.membersAsOf);
    reconnected = null;
    if (again) {
      const words = msg.resumed ? 'Reconnected.' : 'Reconnected. Your previous session had ended: this is a fresh start.';
      reconnected = log.eventItem('reconnected', [words], new Date().toISOString());
      log.appendLine(reconnected);
    }
  },

  joined: onEvent,
  left: onEvent,
  message: onEvent,
  action: onEvent,
  private: onEvent,
  renamed: onEvent,
  away: onEvent,
  notice: onEvent,

  replay(msg) {
    replay = msg.phase === 'begin' ? { kind: msg.kind, marked: false } : null;
    if (replay) return;
    if (reconnected) log.appendLine(reconnected); // below what the replay brought
    reconnected = null;
    history.probeOlder(); // the oldest shown may have changed
  },

  error(msg) {
    composer.refused(msg);
  },
};

// onEvent shows a room event (or a notice for us), once: an ID already shown
// came again in a replay, and is skipped. Replayed events happened before
// the welcome, whose user list already counts them, so only live ones change
// the list.
function onEvent(msg) {
  session.received(msg.id);
  if (!log.unseen(msg.id)) return;
  if (!replay) {
    reconnected = null; // live events go below it: it stays where it is
    roster.apply(msg);
  }
  if (msg.type === 'message' && composer.confirmOwn(msg)) {
    session.keep(msg);
    return;
  }
  if (replay && !replay.marked) {
    replay.marked = true; // a divider before the first replayed event shown
    const divider = { type: 'divider', kind: replay.kind };
    log.place(log.views.divider(divider), 0);
    session.keep(divider);
  }
  const item = log.views[msg.type](msg);
  if (replay?.kind === 'history') item.classList.add('replayed');
  log.place(item, msg.id, Boolean(msg.own) && !replay);
  session.keep(msg);
  if (!replay && !msg.own && (msg.type === 'message' || msg.type === 'action' || msg.type === 'private')) {
    const mention = notify.mentionsMe(msg);
    log.countUnread(mention);
    if (mention) notify.alert(msg);
  }
}

// resetView forgets what the tab shows: the server did not resume our
// session, so its IDs may be another numbering (a restarted server).
function resetView() {
  log.clear();
  composer.forgetLost();
  history.reset();
  session.forgetView();
}

// closed acts on the close of the socket (wasLive: it had been welcomed): by
// its code, leave, go back to the login form, stay offline, or reconnect.
export function closed(ev, wasLive) {
  replay = null;
  reconnected = null;
  composer.connectionLost();
  if (session.quitting) return;
  switch (ev.code) {
    case Close.goingAway: // a clean stop: the server is restarting
      if (wasLive) log.appendLine(log.eventItem('notice', [shutdownWords], new Date().toISOString()));
      restarting = true;
      return connection.reconnect(restartWords, true);
    case Close.abnormal: // not back yet, if it was restarting
      if (restarting) return connection.reconnect(restartWords, true);
      break;
    case Close.normal: // we left: /quit, here or in another tab
      return leave();
    case Close.nameTaken:
      return backToLogin('taken');
    case Close.nameInvalid:
      return backToLogin('invalid');
    case Close.notLoggedIn:
      return backToLogin('login');
    case Close.moved: // it goes on in another window: coming back would take it over
      connection.showOffline('You continued in another window. Reload this page to chat here instead.');
      return;
  }
  restarting = false; // it said something else since
  connection.reconnect(Object.hasOwn(reconnectWords, ev.code) ? reconnectWords[ev.code] : 'Connection lost.');
}

// end ends the session for good: no reconnecting, and nothing kept.
function end() {
  session.end();
  connection.stop();
}

// leave ends the session and posts the logout form, which forgets the name
// and shows the login page.
function leave() {
  end();
  session.logout();
}

function backToLogin(error) {
  end();
  session.backToLogin(error);
}

// quit: /quit takes us out of the room at once (every tab of ours closes
// with 1000), then the logout form forgets the name and shows the login page.
export function quit() {
  if (session.quitting) return;
  end();
  let done = false;
  const logout = () => {
    if (done) return;
    done = true;
    session.logout();
  };
  const sock = connection.socket();
  if (sock && connection.isLive()) {
    sock.addEventListener('close', logout, { once: true });
    setTimeout(logout, 2000); // the server did not answer: go anyway
    connection.send({ type: 'say', text: '/quit' });
  } else {
    sock?.close(Close.normal, 'quit');
    logout();
  }
}
