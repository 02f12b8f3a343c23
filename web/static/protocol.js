// The protocol of docs/protocol.md: what each server message does (the
// `handlers` table, one entry per type of §3), what each close code means
// (§5), and leaving. The other modules do the work; this one decides which.

import * as account from './account.js';
import * as composer from './composer.js';
import * as connection from './connection.js';
import * as convs from './conversations.js';
import * as history from './history.js';
import * as log from './log.js';
import * as moderation from './moderation.js';
import * as notify from './notify.js';
import * as rooms from './rooms.js';
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
  passwordRequired: 4004,
  tooSlow: 4008,
  moved: 4009,
  kicked: 4010,
  banned: 4011,
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
let replay = null; // {kind, marked: Set of conversations given a divider} while the server replays events
// reconnected is the "Reconnected." line while the replay that follows the
// welcome may still come: it is moved below what the replay brings, to the
// end of the log, where the reader is.
let reconnected = null;
// aboutMe is the kick or ban an operator last did to us, in words ("alice
// was kicked by bob: spam"): said again where we see it once we are out.
let aboutMe = '';

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
    aboutMe = ''; // what was done to us before is said, or over
    composer.setLimit(msg.maxTextBytes, msg.maxTextLines);
    if (msg.token) session.saveToken(msg.token);
    roster.setClock(msg.time);
    if (!msg.resumed) resetView();
    session.setMe(msg.you);
    connection.welcomed();
    composer.connected();
    restarting = false;
    // A server from before rooms has one, and says nothing of it.
    const defaultRoom = typeof msg.room === 'string' ? msg.room : '#lobby';
    // (One that does may have us in no room at all: we left them all.)
    const inRooms = Array.isArray(msg.rooms) ? msg.rooms.filter((r) => typeof r === 'string') : [defaultRoom];
    const remembered = session.rememberedRooms();
    convs.welcome(msg, inRooms); // forgets what it asked to join before
    if (msg.resumed) {
      session.rememberRooms(inRooms);
    } else {
      // A fresh join (a new login, a restarted server): the rooms we were
      // in are joined again.
      for (const name of remembered) convs.ask(name);
    }
    // The room the URL names is joined if the reader asked for it (the page
    // was opened on it) or we were in it (a fresh join); after a blip, a
    // room left meanwhile (in another tab) stays left.
    convs.showFromLocation({ join: !again || !msg.resumed });
    const speaksRooms = Array.isArray(msg.rooms); // and so answers GET /rooms and /history/private
    rooms.enable(speaksRooms);
    history.enable(Boolean(msg.history));
    history.fill(speaksRooms);
    if (!again) rooms.refreshTopics(); // the default room's; the others' come with their `room`
    reconnected = null;
    if (again) {
      const words = msg.resumed ? 'Reconnected.' : 'Reconnected. Your previous session had ended: this is a fresh start.';
      reconnected = log.eventItem('reconnected', [words], new Date().toISOString());
      convs.current?.log.appendLine(reconnected);
    }
  },

  room(msg) {
    if (typeof msg.room !== 'string') return;
    convs.joined(msg);
  },

  joined: onEvent,
  // Several joins at once, in a storm of them: each is a joined.
  joins(msg) {
    if (!Array.isArray(msg.people)) return;
    for (const person of msg.people) onEvent({ ...person, type: 'joined', time: msg.time, room: msg.room });
  },
  left: onEvent,
  message: onEvent,
  action: onEvent,
  private: onEvent,
  renamed: onEvent,
  away: onEvent,
  topic: onEvent,
  notice: onEvent,
  moderation: onEvent,
  account: onEvent,

  done(msg) {
    account.answer(msg);
  },

  replay(msg) {
    replay = msg.phase === 'begin' ? { kind: msg.kind, marked: new Set() } : null;
    if (replay) return;
    if (reconnected) convs.current?.log.appendLine(reconnected); // below what the replay brought
    reconnected = null;
    history.probeOlder(); // the oldest shown may have changed
  },

  error(msg) {
    if (account.answer(msg)) return;
    if (msg.code === 'bad_room') convs.joinFailed();
    composer.refused(msg);
  },
};

// whereShown are the conversations an event is shown in: its room's, the
// private conversation with the other person, or, for what is about a
// person wherever they are (a rename, away and back, leaving the server),
// every room whose list shows them. A notice for us goes where we are.
function whereShown(msg) {
  switch (msg.type) {
    case 'private':
      return [convs.person(msg.own ? msg.to : msg.from)];
    case 'notice':
      return [convs.current || convs.room(convs.defaultRoom, false)].filter(Boolean);
    case 'account': // ours alone are said in words; others' change a mark
      return msg.name === session.me ? [convs.current || convs.room(convs.defaultRoom, false)].filter(Boolean) : [];
    case 'moderation':
      if (msg.action === 'remove') return []; // shown in place of the message
      if (!msg.room) {
        // About the whole server: where the person it is about is listed.
        const listed = msg.target ? convs.whereListed(msg.target) : [];
        return listed.length ? listed : [convs.current || convs.room(convs.defaultRoom, false)].filter(Boolean);
      }
      break;
    case 'renamed':
    case 'away':
    case 'left':
      // An operator's removal was said by its moderation event: the lists
      // alone show the departure.
      if (msg.type === 'left' && (msg.reason === 'kicked' || msg.reason === 'banned')) return [];
      if (msg.type !== 'left' || !msg.room) {
        const listed = convs.whereListed(msg.name);
        if (msg.type === 'renamed') {
          const them = convs.person(msg.name, false);
          if (them) listed.push(them);
        }
        if (listed.length) return listed;
        return [convs.room(convs.defaultRoom, false) || convs.current].filter(Boolean);
      }
  }
  // An event of a room we are in. (One we have left since, replayed, is
  // not shown: we are not in it.)
  return [convs.room(msg.room || convs.defaultRoom, false)].filter(Boolean);
}

// onEvent shows an event (or a notice for us) in its conversations, once
// in each: an ID already shown came again in a replay, and is skipped.
// Replayed events happened before the welcome (or the `room` message),
// whose user list already counts them, so only live ones change the
// lists.
function onEvent(msg) {
  session.received(msg.id);
  const own = msg.type === 'left' && msg.room && msg.name === session.me;
  if (own && msg.reason === 'part') {
    convs.left(msg.room); // every tab of ours drops the room
    return;
  }
  if (own && (msg.reason === 'kicked' || msg.reason === 'banned')) {
    // Out of a room by an operator: it goes, and we are told why where we are.
    convs.left(msg.room);
    const words = aboutMe || `You were removed from ${msg.room} by an operator.`;
    convs.current?.log.appendLine(log.eventItem('moderation', [words], msg.time));
    return;
  }
  if (msg.type === 'moderation') {
    if (msg.action === 'remove' && msg.message) {
      moderation.removeEverywhere(msg.message); // replayed too: what we show must not keep it
      session.removed(msg.message);
    }
    const removal = msg.action === 'kick' || msg.action === 'ban';
    if (removal && msg.target && msg.target === session.me && msg.says) aboutMe = msg.says;
  }
  const targets = whereShown(msg);
  if (!targets.length && msg.type === 'notice') composer.showHint(msg.text); // in no room: the hint says it
  if (!replay) {
    reconnected = null; // live events go below it: it stays where it is
    applyLive(msg);
  }
  if (msg.type === 'notice' && !msg.id) convs.joinFailed(); // a join we asked for, refused (or done already)
  if (msg.type === 'notice' && msg.code === 'muted') composer.notSent(msg.text);
  for (const conv of targets) {
    if (!conv.log.unseen(msg.id)) continue;
    if (msg.type === 'message' && composer.confirmOwn(msg, conv.log)) {
      session.keep(conv, msg);
      continue;
    }
    if (replay && !replay.marked.has(conv)) {
      replay.marked.add(conv); // a divider before the first replayed event shown
      const divider = { type: 'divider', kind: replay.kind };
      conv.log.place(log.views.divider(divider), 0);
      session.keep(conv, divider);
    }
    const item = log.views[msg.type](msg);
    if (replay?.kind === 'history') item.classList.add('replayed');
    conv.log.place(item, msg.id, Boolean(msg.own) && !replay);
    session.keep(conv, msg);
    if (replay?.kind !== 'history' && !msg.own && (msg.type === 'message' || msg.type === 'action' || msg.type === 'private')) {
      const mention = notify.mentionsMe(msg);
      convs.countNew(conv, mention);
      if (!replay) {
        log.countUnread(mention);
        if (mention) notify.alert(msg);
      }
    }
  }
}

// applyLive makes a live event's changes beyond the log: to the lists of
// the rooms it concerns (every room, for what is about a person wherever
// they are), our name, a room's topic.
function applyLive(msg) {
  if (msg.type === 'renamed') {
    if (msg.name === session.me) session.setMe(msg.newName); // before the lists, which mark our entry
    convs.renamed(msg.name, msg.newName);
  }
  if (msg.type === 'topic') {
    const conv = convs.room(msg.room, false);
    if (conv) convs.setTopic(conv, msg.text);
  }
  const roomOf =
    msg.type === 'joined' ||
    msg.type === 'message' ||
    msg.type === 'action' ||
    (msg.type === 'left' && msg.room) ||
    (msg.type === 'moderation' && msg.room);
  if (roomOf) {
    convs.room(msg.room || convs.defaultRoom, false)?.roster.apply(msg);
    return;
  }
  for (const conv of convs.rooms()) conv.roster.apply(msg);
}

// resetView forgets what the tab shows: the server did not resume our
// session, so its IDs may be another numbering (a restarted server).
function resetView() {
  convs.clear();
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
  account.connectionLost();
  if (session.quitting) return;
  switch (ev.code) {
    case Close.goingAway: // a clean stop: the server is restarting
      if (wasLive) convs.current?.log.appendLine(log.eventItem('notice', [shutdownWords], new Date().toISOString()));
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
    case Close.passwordRequired: // our login to the registered name ended
      return backToLogin('password');
    case Close.kicked: // out until we come back: not by ourselves
      connection.showOffline(`${aboutMe || 'An operator removed you from the chat.'} Retry to come back.`);
      aboutMe = '';
      return;
    case Close.banned:
      // What we were told as it happened, or else the words of the ban
      // that refused us (the close's reason).
      connection.showOffline(aboutMe || ev.reason || 'You are banned from this server.');
      aboutMe = '';
      return;
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
