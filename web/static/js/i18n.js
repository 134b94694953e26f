// The seat's language: the server's gettext catalogue for it (/i18n/<language>.json, the same
// messages the templates use), t() and tn() to read it, Intl to format dates, times and numbers.
// Switching language rewrites the page's words in place and dispatches `seat-language`:
// nothing typed, opened or zoomed is lost (each view re-renders what it built from the state).

const root = document.documentElement;
const SOURCE = 'en'; // msgids are English
const COOKIE = 'language'; // read by the server to render the next page in this language

async function fetchCatalogue(url) {
  try {
    const response = await fetch(url);
    if (response.ok) return await response.json();
  } catch { /* offline: the page keeps the words it was rendered with */ }
  return { language: SOURCE, plurals: 2, messages: {} };
}

// A page in the source language (or one with nothing translated) has no catalogue to wait for; the
// page links the others with a preload, so the modules rarely wait on it either.
let catalogue = root.dataset.catalogue ? await fetchCatalogue(root.dataset.catalogue)
  : { language: root.lang, plurals: 2, messages: {} };

export function language() { return root.lang || SOURCE; }

function fill(text, params) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// A message in the seat's language, its {name} placeholders filled from params.
export function t(msgid, params = {}) {
  const text = catalogue.messages[msgid];
  return fill(typeof text === 'string' ? text : msgid, params);
}

// The same, for a page element: a placeholder whose param is a node (a name shown in its own
// language, say) stays that node; the parts go to el() as its children.
export function tParts(msgid, params = {}) {
  const text = catalogue.messages[msgid];
  return (typeof text === 'string' ? text : msgid).split(/(\{\w+\})/).filter(Boolean).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    return name && name in params ? (params[name] instanceof Node ? params[name] : String(params[name])) : part;
  });
}

// The plural form for n (the count is also the placeholder {n}), chosen by the language's CLDR rules.
const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'];
export function tn(singular, plural, n, params = {}) {
  const forms = catalogue.messages[singular];
  const rules = new Intl.PluralRules(language());
  const used = CATEGORIES.filter((c) => rules.resolvedOptions().pluralCategories.includes(c));
  let text;
  if (Array.isArray(forms)) text = forms[Math.min(used.indexOf(rules.select(n)), forms.length - 1)];
  else text = rules.select(n) === 'one' ? singular : plural;
  return fill(text, { n: formatNumber(n), ...params });
}

// A server refusal (its stable code) in the seat's words: the server's own English message in an
// English seat, else the catalogue's sentence for the code (docs/protocol.md, "Languages").
export function errorText(code, message) {
  if (language() === SOURCE && message) return message;
  const texts = {
    bad_frame: t('The server could not read what this page sent.'),
    unknown_type: t('The server does not know this request.'),
    invalid: t('Something in what you sent is missing, too long or not allowed. Check it and try again.'),
    forbidden: t('Your role may not do this.'),
    not_found: t('Not found: it does not exist, or you may not see it.'),
    wrong_state: t('Not possible while the exercise is in this state.'),
    conflict: t('Already done, or changed by someone else meanwhile.'),
    id_reused: t('This request was already sent as another one. Try again.'),
    rate_limited: t('Too many requests at once. Wait a moment and try again.'),
    unavailable: t('The server cannot store anything just now. Nothing was saved; try again shortly.'),
    internal: t('The server met an unexpected fault. Nothing was saved.'),
    offline: t('not connected; try again in a moment'),
  };
  return texts[code] || message || t('The request failed.');
}

export function formatNumber(n, options) { return new Intl.NumberFormat(language(), options).format(n); }
export function formatTime(date, options = { hour: '2-digit', minute: '2-digit' }) {
  return new Intl.DateTimeFormat(language(), options).format(date);
}
export function formatDate(date, options = { dateStyle: 'medium' }) {
  return new Intl.DateTimeFormat(language(), options).format(date);
}

// Where translated words stand outside text nodes.
const ATTRIBUTES = ['placeholder', 'title', 'aria-label'];
// What people and scenarios wrote is never rewritten, even when it reads like an interface word.
const CONTENT = '.messages, .inject-detail, #briefing, .wf-list, .observation-list, .leaflet-container, .slips';

function rewrite(text, back, forth) {
  const core = text.trim();
  if (!core) return text;
  const msgid = back.get(core);
  if (msgid === undefined) return text;
  return text.replace(core, forth(msgid));
}

function rewritePage(previous) {
  const back = new Map(); // the previous language's words -> their msgids
  for (const [msgid, text] of Object.entries(previous.messages)) if (typeof text === 'string') back.set(text, msgid);
  if (previous.language === SOURCE || !previous.language) {
    // English words are their own msgids: every msgid the new catalogue knows.
    for (const msgid of Object.keys(catalogue.messages)) if (!back.has(msgid)) back.set(msgid, msgid);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.nodeType === 1 && node.matches(CONTENT) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  for (let node = walker.currentNode; node; node = walker.nextNode()) {
    if (node.nodeType === 3) {
      const parent = node.parentElement;
      if (parent && (parent.tagName === 'TEXTAREA' || parent.tagName === 'SCRIPT')) continue;
      node.data = rewrite(node.data, back, t);
    } else {
      for (const name of ATTRIBUTES) if (node.hasAttribute(name)) node.setAttribute(name, rewrite(node.getAttribute(name), back, t));
    }
  }
  const [, count = '', title] = /^(\(\d+\) )?(.*)$/.exec(document.title); // "(2) Team view": the unread count kept
  document.title = count + title.split(' · ').map((part) => rewrite(part, back, t)).join(' · ');
}

// Switches the page to `lang`. `remembered`: the server already holds it (another tab or device chose it).
export async function setLanguage(lang, { remembered = false } = {}) {
  if (lang === language()) return;
  const option = document.querySelector(`#seat-language option[value="${lang}"]`);
  const version = option?.dataset.version;
  const next = await fetchCatalogue(`/i18n/${lang}.json${version ? `?v=${version}` : ''}`);
  const select = document.getElementById('seat-language');
  if (next.language !== lang) { // offline: the page stays as it is, and says so by its selector
    if (select) select.value = language();
    return;
  }
  const previous = { ...catalogue, language: language() };
  catalogue = next;
  root.lang = lang;
  document.cookie = `${COOKIE}=${lang}; path=/; max-age=31536000; samesite=lax`;
  rewritePage(previous);
  if (select) select.value = lang;
  document.dispatchEvent(new CustomEvent('seat-language', { detail: { language: lang, remembered } }));
}

const selector = document.getElementById('seat-language');
if (selector) selector.addEventListener('change', () => setLanguage(selector.value));
