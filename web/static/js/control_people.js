// The control panel's people by name: the roster (typed, or a CSV file: every problem listed and
// nothing added), and moving a trainee to another team (their view switches to it).
import { $, el, replaceChildren, toast } from './dom.js';
import { t } from './i18n.js';
import { api } from './session.js';

// Where the class opens the server (its LAN addresses), or that only this computer can.
async function showAddresses(token) {
  const { addresses } = await api('/api/addresses', { token }).catch(() => ({ addresses: null }));
  if (addresses === null) return;
  $('#class-addresses').textContent = addresses.length ? t('The class opens {addresses}', { addresses: addresses.join('  ') })
    : t('Only this computer can open the server: start it with --host 0.0.0.0 to let the class in.');
}

export function showRoster(view, run, { exercise, token }) {
  const render = () => {
    const s = view.state;
    if (!s) return;
    const teams = s.scenario.teams;
    if ($('#roster-team').options.length !== teams.length) {
      replaceChildren($('#roster-team'), teams.map((team) => el('option', { value: team.id }, view.teamName(team.id))));
    }
    replaceChildren($('#roster-table tbody'), (s.roster || []).map((r) => el('tr', { dataset: { person: r.person } },
      el('td', {}, r.name, r.email ? el('div', { class: 'meta' }, r.email) : null), el('td', { class: 'meta' }, view.teamName(r.team)),
      el('td', { class: 'code' }, r.code),
      el('td', {}, el('button', { type: 'button', class: 'danger', 'aria-label': t('Take {name} off the roster', { name: r.name }),
        onclick: () => confirm(t('Take {name} off the roster? Their personal code then lets nobody new in.', { name: r.name }))
          && run('roster.remove', { person: r.person }) }, t('Remove'))))));
  };
  view.addEventListener('reset', render);
  showAddresses(token);
  view.addEventListener('change', (e) => {
    if (e.detail.kind.startsWith('roster.') || e.detail.kind === 'participant.moved') render();
  });
  $('#roster-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const person = { name: $('#roster-name').value, team: $('#roster-team').value, email: $('#roster-email').value };
    if (await run('roster.add', { people: [person] })) { $('#roster-name').value = ''; $('#roster-email').value = ''; }
  });
  $('#roster-csv').addEventListener('change', async () => {
    const file = $('#roster-csv').files[0];
    if (!file) return;
    replaceChildren($('#roster-problems'));
    try {
      const body = { csv: await file.text() };
      const response = await fetch(`/api/exercises/${encodeURIComponent(exercise)}/roster`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        const problems = answer.problems || [answer.error?.message || t('request failed ({status})', { status: response.status })];
        replaceChildren($('#roster-problems'), el('li', {}, t('Nothing was added. Fix the file and import it again:')),
          problems.map((p) => el('li', {}, p)));
      } else {
        toast(t('{count} names added to the roster', { count: answer.added.length }));
      }
    } finally {
      $('#roster-import').reset();
    }
  });
}

// A trainee's row on the participant list: move them to another team.
export function moveControl(view, run, person) {
  if (person.role !== 'trainee') return null;
  const others = view.state.scenario.teams.filter((team) => team.id !== person.team);
  const select = el('select', { 'aria-label': t('Team to move {name} to', { name: person.name }), class: 'move-to' },
    others.map((team) => el('option', { value: team.id }, view.teamName(team.id))));
  return el('span', { class: 'move' }, select, el('button', { type: 'button', class: 'move-button',
    onclick: () => confirm(t('Move {name} to {team}? Their screen switches to that team.', { name: person.name, team: view.teamName(select.value) }))
      && run('participant.move', { participant: person.id, team: select.value }) }, t('Move')));
}
