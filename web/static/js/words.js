// The names of the exercise's fixed values (roles, COP feature kinds, inject statuses) in the
// seat's language: the protocol carries the value, the page shows its name.

import { t } from './i18n.js';

export function roleName(role) {
  return { facilitator: t('facilitator'), evaluator: t('evaluator'), trainee: t('trainee') }[role] || role;
}

// Who someone is on screen: the lead facilitator is the seat the server names "Facilitator"; the
// control cell's named members (people.md) by their names.
export function personName(person) {
  return person.role === 'facilitator' && (!person.name || person.name === 'Facilitator') ? t('Facilitator') : person.name;
}

export function featureKindName(kind) {
  return {
    incident: t('incident'), unit: t('unit'), convoy: t('convoy'), checkpoint: t('checkpoint'), camp: t('camp'),
    place: t('place'), note: t('note'), route: t('route'), area: t('area'), hazard: t('hazard'), site: t('site'),
    movement: t('movement'), 'notified-movement': t('notified movement'), 'notified-site': t('notified site'),
  }[kind] || kind.replace('-', ' ');
}

export function injectStatusName(status) {
  return {
    scheduled: t('scheduled'), held: t('held'), released: t('released'), cancelled: t('cancelled'),
    replaced: t('replaced'),
  }[status] || status;
}

export function rfaStatusName(status) {
  return {
    submitted: t('submitted'), accepted: t('accepted'), declined: t('declined'),
    more_info_requested: t('more info requested'), clarified: t('clarified'),
  }[status] || status.replaceAll('_', ' ');
}

export function decisionName(decision) {
  return { accept: t('accept'), decline: t('decline'), more_info: t('ask for more information') }[decision]
    || decision.replaceAll('_', ' ');
}

export function assetName(asset) {
  return { escort: t('escort'), airlift: t('airlift'), engineering: t('engineering'), medical: t('medical') }[asset] || asset;
}

// In the media form's choice, and as the feed's chip (shorter).
export function mediaKindName(kind) {
  return { article: t('news article'), radio: t('radio bulletin'), social: t('social media post') }[kind] || kind;
}

export function mediaChip(kind) {
  return { article: t('article'), radio: t('radio'), social: t('social') }[kind] || kind;
}
