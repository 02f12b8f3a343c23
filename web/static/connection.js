// The connection: one WebSocket at a time, reconnecting with backoff, and the
// status dot and banner that show how it is going. It knows nothing of what
// the messages mean: start gives it the functions that do (protocol.js).

import { $ } from './dom.js';

// Reconnecting: exponential backoff from 0.5 s, doubling to a 30 s cap, with
// jitter so that a restarted server is not hit by every page at once.
const backoffBaseMs = 500;
const backoffCapMs = 30000;

const statusDot = $('status-dot');
const statusText = $('status-text');
const banner = $('banner');
const bannerText = $('banner-text');

let ws = null; // the current socket, or null between attempts
let live = false; // the current socket has been welcomed
let attempt = 0; // reconnect attempts since the last welcome
let retryTimer = 0;
let stopped = false; // the session has ended: never connect again
let on = null; // {url, message, close}: see start

// start connects, and connects again whenever asked to. on.url() gives the
// URL of each attempt; on.message(msg) gets each server message in order;
// on.close(ev, wasLive) gets the close of the current socket, and whether it
// had been welcomed, and decides what follows (reconnect, showOffline, or
// stop).
export function start(handlers) {
  on = handlers;
  $('retry').addEventListener('click', retryNow);
  window.addEventListener('online', retryNow);
  connect();
}

function connect() {
  clearTimeout(retryTimer);
  const sock = new WebSocket(on.url());
  ws = sock;
  live = false;
  setStatus('connecting', 'Connecting…');
  sock.addEventListener('message', (ev) => {
    if (sock !== ws) return;
    let data;
    try {
      data = JSON.parse(ev.data);
    } catch {
      return; // not JSON: nothing this client can act on
    }
    // A frame holds one message, or an array of them in order (the server
    // batches what was queued together).
    for (const msg of Array.isArray(data) ? data : [data]) {
      if (sock !== ws) return; // a handler closed this socket
      on.message(msg);
    }
  });
  sock.addEventListener('close', (ev) => {
    if (sock !== ws) return;
    const wasLive = live;
    ws = null;
    live = false;
    on.close(ev, wasLive);
  });
}

// isLive says whether the current socket has been welcomed, so that sending
// on it means something.
export function isLive() {
  return live;
}

// socket is the current socket, or null between attempts.
export function socket() {
  return ws;
}

export function send(msg) {
  ws.send(JSON.stringify(msg));
}

// leaving tells the server, as the page goes (its tab closed, or reloading),
// that it goes on purpose: the server then holds our place only for a few
// seconds, time for a reload to come back unnoticed, instead of the long
// grace that covers a network's blips (docs/protocol.md §4, `leaving`).
export function leaving() {
  if (ws && live) ws.send(JSON.stringify({ type: 'leaving' }));
}

// welcomed marks the current socket live: the backoff starts again from the
// beginning next time, and the banner goes.
export function welcomed() {
  live = true;
  attempt = 0;
  banner.hidden = true;
  bannerText.textContent = '';
  setStatus('online', 'Connected');
}

// reconnect tries again after the next backoff delay, saying why (a sentence)
// in the banner and counting the attempts; or, with steady, saying only why,
// the same words at every attempt: the server said what is going on.
export function reconnect(why, steady = false) {
  attempt++;
  const ceiling = Math.min(backoffCapMs, backoffBaseMs * 2 ** (attempt - 1));
  const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
  showOffline(steady ? why : `${why} Reconnecting… (attempt ${attempt})`);
  retryTimer = setTimeout(connect, delay);
}

// showOffline says in the banner why the page is offline.
export function showOffline(text) {
  bannerText.textContent = text;
  banner.hidden = false;
  setStatus('offline', 'Offline');
}

// stop gives up for good: the session has ended.
export function stop() {
  stopped = true;
  clearTimeout(retryTimer);
}

function retryNow() {
  if (ws || stopped) return;
  connect();
}

function setStatus(state, text) {
  statusDot.dataset.state = state;
  statusText.textContent = text;
}
