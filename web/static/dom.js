// Building the page's elements. Text from the network only ever enters the
// page as text (textContent, append with a string), never as markup: these
// helpers are how the other modules make elements, and none takes HTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, className) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  return e;
}

export function timeEl(iso) {
  const t = el('time');
  const d = new Date(iso);
  t.dateTime = iso;
  t.textContent = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  t.title = d.toLocaleString();
  return t;
}

// hue gives each name its own colour, the same on every page: one of a few
// hues far enough apart to tell apart at a glance.
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
// (an action, parting words, an away reason): a <bdi>, so that however its
// script runs, it cannot reorder the words around it.
export function userText(text) {
  const b = document.createElement('bdi');
  b.textContent = text;
  return b;
}

// textEl is a message's text: a paragraph that takes its direction from its
// own first letters (dir=auto), isolated from the page's.
export function textEl(text) {
  const p = el('p', 'text');
  p.dir = 'auto';
  p.textContent = text;
  return p;
}
