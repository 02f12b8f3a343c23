// anseo's chat page: ES modules, no dependencies, no build step. This one
// wires the others together and starts the page:
//
//   connection.js     the WebSocket, reconnecting with backoff, the status and banner
//   protocol.js       docs/protocol.md: a handler per server message, close codes, quitting
//   session.js        our name, the resume token, what a reload shows again, our rooms
//   conversations.js  the rooms and private conversations: sidebar, URLs, switching, unread
//   rooms.js          the room browser and the Ctrl+K box
//   log.js            a conversation's log: views of events, order, scrolling
//   days.js           a separator where the day changes, in the reader's zone
//   roster.js         a room's user list: presence, away, idle times
//   history.js        older messages, private conversations and search over HTTP
//   composer.js       the input, sending with refs and ticks, the away button
//   account.js        the form of /register, /password and /unregister
//   moderation.js     operators' menus on names and messages; removed messages
//   notify.js         mentions: what is for us, and desktop notifications of it
//   dom.js            making elements; text only ever goes in as text
//
// It speaks the protocol of docs/protocol.md over one WebSocket. Text from
// the network only ever enters the page as text (textContent, append with a
// string), never as markup.

import * as account from './account.js';
import * as composer from './composer.js';
import * as connection from './connection.js';
import * as convs from './conversations.js';
import { $ } from './dom.js';
import * as history from './history.js';
import * as log from './log.js';
import * as moderation from './moderation.js';
import * as notify from './notify.js';
import * as protocol from './protocol.js';
import * as rooms from './rooms.js';
import * as roster from './roster.js';
import * as session from './session.js';

composer.start();
account.start({
  onDone(kind) {
    // Registering and ending it are said by the account event that follows.
    if (kind === 'password') convs.current?.log.appendLine(log.eventItem('account', ['Password changed.'], new Date().toISOString()));
  },
  onClose: composer.focus,
});
moderation.start({
  currentRoom: () => (convs.current?.kind === 'room' ? convs.current.name : null),
  onSent: composer.showHint,
  onClose: composer.focus,
});
history.start();
roster.start();
notify.start();
rooms.start();
log.start({ onTop: history.loadOlder, onNewMessages: composer.focus });
convs.start({
  onShow(conv) {
    composer.shown(conv); // conv is null when there is none to show
    history.shown();
  },
});
session.countUnread(convs.unreadCounts);

$('quit-form').addEventListener('submit', (e) => {
  e.preventDefault();
  protocol.quit();
});

document.addEventListener('visibilitychange', () => {
  if (document.hidden) session.saveView();
  else log.readAll();
});
window.addEventListener('pagehide', () => {
  // A reload or a closed tab: keep what was shown, and tell the server.
  session.saveView();
  connection.leaving();
});

session.restoreView(convs.restore);
convs.showFromLocation(); // what this tab showed, at once; the welcome does the rest
connection.start({ url: session.socketURL, message: protocol.handle, close: protocol.closed });
composer.focus();
