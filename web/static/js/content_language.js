// Scenario content in the seat's language (docs/scenario-format.md, "Translations"). An object
// with translatable fields (an inject, an attachment, a room, a team, a component, a COP feature,
// the scenario itself) may carry `translations: {language: {field: text}}`; every translation
// travels with it, and the page picks the seat's language (`document.documentElement.lang`),
// again on the `seat-language` event. A field the seat's language lacks, in a scenario that
// declares that language, shows the default text with a short marker saying so.

import { el } from './dom.js';
import { t } from './i18n.js';

export function seatLanguage() { return document.documentElement.lang || 'en'; }

// The language the seat reads `scenario`'s content in: its own when the scenario declares it.
export function contentLanguage(scenario, language = seatLanguage()) {
  const base = scenario?.default_language || 'en';
  return (scenario?.languages || [base]).includes(language) ? language : base;
}

// Field `field` of `obj` for the seat: { text, language, fellBack }. `translated` is where the
// translation sits when it is not in `obj.translations` (the scenario's briefings, objectives).
export function pick(obj, field, scenario, translated = obj?.translations) {
  const base = scenario?.default_language || 'en';
  const language = contentLanguage(scenario);
  const text = obj?.[field] ?? '';
  if (language === base) return { text, language: base, fellBack: false };
  const other = translated?.[language]?.[field];
  if (typeof other === 'string') return { text: other, language, fellBack: false };
  return { text, language: base, fellBack: Boolean(text) };
}

// A scenario-level field: the setting, or one briefing or objective (`group` names the mapping).
export function pickScenario(scenario, field, group = null) {
  const translations = scenario?.translations || {};
  if (!group) return pick(scenario, field, scenario, translations);
  const perLanguage = Object.fromEntries(Object.entries(translations).map(([lang, t]) => [lang, t[group] || {}]));
  return pick(scenario[group] || {}, field, scenario, perLanguage);
}

// The short mark of a field shown in the default language because the seat's has no translation.
export function fallbackMark(shown) {
  return shown.fellBack
    ? el('span', { class: 'untranslated', lang: shown.language, title: t('Not translated: shown in {language}', { language: shown.language }) },
      shown.language.toUpperCase())
    : null;
}

// An element showing field `field` of `obj` in the seat's language, with `lang` set and the
// fallback mark; `render` turns the text into children (Markdown for bodies and briefings).
export function localized(tag, props, shown, render = (text) => text) {
  return el(tag, { ...props, lang: shown.language }, render(shown.text), shown.fellBack ? ' ' : null, fallbackMark(shown));
}

// The name of a team, component or room in the seat's language (plain text, no mark).
export function nameOf(obj, scenario) { return obj ? pick(obj, 'name', scenario).text : ''; }

export function onSeatLanguage(render) { document.addEventListener('seat-language', () => render()); }

// The translatable fields of an inject. An edit gives a field anew in the default language:
// its old translations are dropped (the server's projection does the same).
export const INJECT_TEXT_FIELDS = ['from', 'title', 'body', 'notes', 'expected'];

export function dropTranslations(inject, fields) {
  const translations = inject.translations;
  if (!translations) return;
  for (const [lang, texts] of Object.entries(translations)) {
    for (const field of fields) delete texts[field];
    if (!Object.keys(texts).length) delete translations[lang];
  }
  if (!Object.keys(translations).length) delete inject.translations;
}
