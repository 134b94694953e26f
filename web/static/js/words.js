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
    more_info_requested: t('more info requested'), clarified: t('clarified'), with_ocha: t('with OCHA'),
    forwarded: t('forwarded to the military'), returned: t('returned to the requester'), requested: t('requested'),
  }[status] || status.replaceAll('_', ' ');
}

export function decisionName(decision) {
  return { accept: t('accept'), decline: t('decline'), more_info: t('ask for more information') }[decision]
    || decision.replaceAll('_', ' ');
}

export function assetName(asset) {
  return {
    transport: t('transport'), water: t('water'), logistics: t('logistics'), medical: t('medical'),
    engineering: t('engineering'), air: t('air'), escort: t('escort'),
  }[asset] || asset;
}

export function supportName(support) {
  return { indirect: t('indirect assistance'), infrastructure: t('infrastructure support'),
    direct: t('direct assistance') }[support] || support;
}

// The guidelines on military and civil defence assets that govern the scenario's setting.
export function guidelineName(guideline) {
  return {
    oslo: t('Oslo Guidelines (disasters in peacetime)'),
    mcda: t('MCDA Guidelines (complex emergencies)'),
  }[guideline] || t('Oslo Guidelines (disasters) / MCDA Guidelines (complex emergencies)');
}

// In the media form's choice, and as the feed's chip (shorter).
export function mediaKindName(kind) {
  return { article: t('news article'), radio: t('radio bulletin'), social: t('social media post') }[kind] || kind;
}

export function mediaChip(kind) {
  return { article: t('article'), radio: t('radio'), social: t('social') }[kind] || kind;
}
