// anseo's chat page: ES modules, no dependencies, no build step. This one
// wires the others together and starts the page:
//
//   connection.js  the WebSocket, reconnecting with backoff, the status and banner
//   protocol.js    docs/protocol.md: a handler per server message, close codes, quitting
//   session.js     our name, the resume token, what a reload shows again
//   log.js         the message log: views of events, order, scrolling, unread
//   days.js        a separator where the day changes, in the reader's zone
//   roster.js      the user list: presence, away, idle times
//   history.js     older messages and search over HTTP
//   composer.js    the input, sending with refs and ticks, the away button
//   notify.js      mentions: what is for us, and desktop notifications of it
//   dom.js         making elements; text only ever goes in as text
//
// It speaks the protocol of docs/protocol.md over one WebSocket. Text from
// the network only ever enters the page as text (textContent, append with a
// string), never as markup.

import * as composer from './composer.js';
import * as connection from './connection.js';
import { $ } from './dom.js';
import * as history from './history.js';
import * as log from './log.js';
import * as notify from './notify.js';
import * as protocol from './protocol.js';
import * as roster from './roster.js';
import * as session from './session.js';

composer.start();
history.start();
roster.start();
notify.start();
log.start({ onTop: history.loadOlder, onNewMessages: composer.focus });

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

session.restoreView(log.restore);
connection.start({ url: session.socketURL, message: protocol.handle, close: protocol.closed });
composer.focus();
