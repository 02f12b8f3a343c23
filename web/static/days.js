// Days in the log: a separator wherever the day changes ("Today",
// "Yesterday", or the date), in the reader's own locale and time zone, as
// every time on the page is (Intl.DateTimeFormat with no locale or zone
// given: the browser's).

import { el } from './dom.js';

const dateFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

// dayOf is the reader's calendar day of an ISO time, as "YYYY-MM-DD".
export function dayOf(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

// label names a day as a reader would say it.
function label(day) {
  const today = dayOf(new Date().toISOString());
  if (day === today) return 'Today';
  const yesterday = new Date();
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === dayOf(yesterday.toISOString())) return 'Yesterday';
  const [y, m, d] = day.split('-').map(Number);
  return dateFormat.format(new Date(y, m - 1, d));
}

function separator(day) {
  const item = el('div', 'day');
  item.setAttribute('role', 'separator');
  item.dataset.testid = 'day';
  item.dataset.day = day;
  const span = el('span');
  span.textContent = label(day);
  item.append(span);
  return item;
}

// markDays puts a separator before the first line of each day in log, and
// takes away those no longer needed (lines arrive in any order: history
// above, replays in between). It changes only what is wrong, so that a
// screen reader following the log hears each separator once.
export function markDays(log) {
  const wanted = []; // [separator to keep or make, the line it goes before]
  const stale = [];
  let lastDay = '';
  let sep = null; // the separator met since the last line with a time
  for (const item of log.children) {
    if (item.classList.contains('day')) {
      if (sep) stale.push(sep);
      sep = item;
      continue;
    }
    const time = item.querySelector('time');
    if (!time) continue;
    const day = dayOf(time.dateTime);
    if (day !== lastDay) {
      if (sep?.dataset.day === day) sep = null; // it is right where it is
      else wanted.push([day, item]);
    }
    if (sep) stale.push(sep);
    sep = null;
    lastDay = day;
  }
  if (sep) stale.push(sep);
  for (const s of stale) s.remove();
  for (const [day, item] of wanted) item.before(separator(day));
}

// relabelAtMidnight renames the separators of log when the day turns:
// today's becomes "Yesterday".
export function relabelAtMidnight(log) {
  const next = new Date();
  next.setHours(24, 0, 1, 0);
  setTimeout(() => {
    for (const s of log.querySelectorAll('.day')) s.firstElementChild.textContent = label(s.dataset.day);
    relabelAtMidnight(log);
  }, next - new Date());
}
