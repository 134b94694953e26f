// A branch's condition (core/conditions.py) in the seat's language, for the control panel's MSEL:
// what a pending conditional inject or alternate waits for, and why a branch was taken.

import { t } from './i18n.js';

// `names` turns ids into names people read: { team(id), room(id), feature(id) }; ids otherwise.
export function conditionWords(condition, names = {}) {
  const name = (kind, id) => (names[kind] ? names[kind](id) : id);
  const kind = ['released', 'acknowledged', 'request', 'notification', 'document', 'decision', 'silence']
    .find((k) => k in (condition || {}));
  if (!kind) return JSON.stringify(condition);
  const subject = condition[kind];
  const words = {
    released: () => t('{inject} released', { inject: subject }),
    acknowledged: () => t('{inject} acknowledged', { inject: subject }),
    request: () => {
      const team = condition.team && name('team', condition.team);
      if (team) {
        return subject === 'accepted' ? t('a request for assistance from {team} accepted', { team })
          : t('a request for assistance from {team} declined', { team });
      }
      return subject === 'accepted' ? t('a request for assistance accepted') : t('a request for assistance declined');
    },
    notification: () => t('a humanitarian notification covering {feature}', { feature: name('feature', subject) }),
    document: () => t('a sensitive document opened'),
    decision: () => t('a decision recorded'),
    silence: () => t('no message in {room} for {minutes} min', { room: name('room', subject), minutes: condition.minutes }),
  };
  const parts = [words[kind]()];
  if (condition.team && kind !== 'request') parts.push(t('by {team}', { team: name('team', condition.team) }));
  if (condition.inject) parts.push(t('answering {inject}', { inject: condition.inject }));
  if (condition.after) parts.push(t('after {inject}', { inject: condition.after }));
  return parts.join(', ');
}

// When an inject is due, in words, if a branch decides it: `at: {when}` or an alternate's `instead_of`.
export function branchDue(inject, names = {}) {
  if (inject.instead_of) {
    return t('instead of {inject} if {condition}', { inject: inject.instead_of, condition: conditionWords(inject.when, names) });
  }
  const at = inject.at;
  if (at && typeof at === 'object' && at.when && typeof at.when === 'object') {
    const when = t('when {condition}', { condition: conditionWords(at.when, names) });
    return at.delay ? `${when} ${at.delay}` : when;
  }
  return null;
}

// Why a branch was taken (the inject.branched payload), for the rows of the inject it released and
// of the inject it replaced; `time(ex)` writes an exercise time.
export function branchReason(row, time, names = {}) {
  const b = row.branch;
  if (!b) return null;
  const why = conditionWords(b.condition, names);
  const cause = b.cause || {};
  const when = time(cause.ex_time);
  const because = cause.ref ? t('{why} ({ref}, {time})', { why, ref: cause.ref, time: when }) : t('{why} ({time})', { why, time: when });
  if (row.status === 'replaced') return t('replaced by {inject}: {why}', { inject: b.inject_id, why: because });
  if (b.instead_of) return t('released instead of {inject}: {why}', { inject: b.instead_of, why: because });
  return t('released because of {why}', { why: because });
}
