// Building the page's elements. Text from the network only ever enters the
// page as text (textContent, append with a string), never as markup: these
// helpers are how the other modules make elements, and none takes HTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

// Times in the reader's locale and time zone (the browser's): the hour and
// minute in the log, the whole date and time on hover.
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });

export function timeEl(iso) {
  const t = el('time');
  const d = new Date(iso);
  t.dateTime = iso;
  t.textContent = clockFormat.format(d);
  t.title = fullFormat.format(d);
  return t;
}

// hue gives each name its own colour, the same on every page: one of a few
// hues far enough apart to tell apart at a glance.
// internal/namecolour mirrors it for terminals; its test holds both to one
// table, in the browser.
const hues = [4, 28, 48, 142, 172, 198, 222, 258, 286, 318];

export function hue(name) {
  let h = 2166136261; // FNV-1a
  for (const ch of name) h = Math.imul(h ^ ch.codePointAt(0), 16777619);
  return String(hues[(h >>> 0) % hues.length]);
}

// nameEl is a name, isolated from what surrounds it (dir=auto): a name in
// a right-to-left script does not turn the words beside it around.
export function nameEl(name) {
  const b = el('b', 'who');
  b.dir = 'auto';
  b.textContent = name;
  b.style.setProperty('--hue', hue(name));
  return b;
}

// userText is text a user wrote, set inside a line of the page's own words
// (an action, parting words, an away reason): a <bdi> with dir=auto, so that
// however its script runs, it cannot reorder the words around it. Its web
// addresses are links (appendLinked).
export function userText(text) {
  const b = document.createElement('bdi');
  b.dir = 'auto';
  appendLinked(b, text);
  return b;
}

// textEl is a message's text: a paragraph that takes its direction from its
// own first letters (dir=auto), isolated from the page's, with its web
// addresses as links.
export function textEl(text) {
  const p = el('p', 'text');
  p.dir = 'auto';
  appendLinked(p, text);
  return p;
}

// A web address in what users write: http or https, and nothing else, not
// glued to a word or another scheme before it ("javascript:http://…" is
// not one). Trailing punctuation is the sentence's, not the address's.
const addressRe = /(?<![\p{L}\p{N}_.+\-:/@])https?:\/\/[^\s<>"]+/giu;
const trailing = '.,;:!?\'"’”)]}>';

// appendLinked appends text to parent as text nodes, with each web address
// in it an <a> whose text is the address as written: never markup. Links
// open in a new tab that cannot reach back to this page (noopener), tell
// the site nothing of where they came from (noreferrer), and earn nobody
// a search ranking (nofollow). The title shows where the link really goes,
// in ASCII (an internationalised host as its punycode), so that a look-alike
// host gives itself away.
export function appendLinked(parent, text) {
  let at = 0;
  for (const m of text.matchAll(addressRe)) {
    const address = trimTrailing(m[0]);
    const url = parseWebAddress(address);
    if (!url) continue;
    parent.append(text.slice(at, m.index));
    const a = el('a', 'link');
    a.href = url.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer nofollow';
    a.title = url.href;
    a.textContent = address;
    parent.append(a);
    at = m.index + address.length;
  }
  parent.append(text.slice(at));
}

// trimTrailing takes the sentence's punctuation off the end of an address,
// but not a closing bracket the address opened: en.wikipedia.org/wiki/Go_(game).
function trimTrailing(address) {
  for (;;) {
    const last = address.at(-1);
    if (!trailing.includes(last)) return address;
    if (last === ')' && count(address, '(') >= count(address, ')')) return address;
    address = address.slice(0, -1);
  }
}

function count(s, ch) {
  return s.split(ch).length - 1;
}

// parseWebAddress is the http or https URL address names, or null.
function parseWebAddress(address) {
  let url;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname ? url : null;
}
