// The lead evaluator's page: the final rating of each objective and capability target beside its
// evidence, and the improvement plan edited row by row (docs/evaluation.md). The server decides who
// may write: a refusal is shown as it comes.
import { $, el, replaceChildren } from './dom.js';
import { api, facilitatorToken, loadSession } from './session.js';
import { t } from './i18n.js';
import { reportDownload } from './report_download.js';

const exercise = document.body.dataset.exercise;
const base = `/api/exercises/${encodeURIComponent(exercise)}`;
const token = facilitatorToken() || loadSession(exercise)?.token;
if (!token) location.replace('/');
else reportDownload(exercise, token);
// Words the page shows, read from the catalogue when it draws (the seat's language may change).
const RATINGS = () => ({ P: t('Performed without challenges'), S: t('Performed with some challenges'),
  M: t('Performed with major challenges'), U: t('Unable to be performed') });
const STATUSES = () => ({ open: t('open'), in_progress: t('in progress'), complete: t('complete'), cancelled: t('cancelled') });
const KINDS = () => ({ target: t('capability target'), observation: t('observation'), mark: t('expected action'),
  pitfall: t('pitfall seen'), response: t('answer') });
let unique = 0;

function failed(error) { $('#evaluation-error').textContent = error.message; }

function field(label, control, wide = false) {
  return el('label', { class: wide ? 'wide-field' : null }, label, control);
}

function options(values, chosen) {
  return Object.entries(values).map(([value, label]) => el('option', { value, selected: value === chosen }, label));
}

function evidence(rows) {
  if (!rows.length) return el('p', { class: 'meta' }, t('none recorded'));
  return el('ul', { class: 'evidence' }, rows.slice(0, 20).map((row) => el('li', {},
    `${KINDS()[row.kind] || row.kind}${row.team ? ` · ${row.team}` : ''}: ${row.text}`
    + (row.status !== null && row.status !== undefined ? ` (${row.status})` : ''))));
}

function ratingItem(item) {
  const id = `rating-${unique += 1}`;
  const rating = el('select', { name: 'rating', id: `${id}-rating` }, options(RATINGS(), item.rating?.rating || 'P'));
  const rationale = el('textarea', { name: 'rationale', maxlength: 4000, required: true }, item.rating?.rationale || '');
  const form = el('form', {},
    field(t('Final rating'), rating), field(t('Rationale'), rationale, true), el('button', { type: 'submit' }, t('Save the rating')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api(`${base}/final-ratings`, { method: 'POST', token, body: { item: item.item, item_id: item.id, rating: rating.value, rationale: rationale.value } });
      await load();
    } catch (error) { failed(error); }
  });
  return el('article', { class: 'rating-item' },
    el('h3', {}, item.item === 'objective' ? `${item.id} ${item.text}` : item.text),
    item.rating ? el('p', {}, el('strong', {}, `${item.rating.rating} ${RATINGS()[item.rating.rating]}`), ` · ${item.rating.author.name}`)
      : el('p', { class: 'meta' }, t('not rated')),
    el('h4', {}, t('Evidence')), evidence(item.evidence), form);
}

function planRow(finding) {
  const input = (name, value, props = {}) => el('input', { name, value: value || '', ...props });
  const area = (name, value) => el('textarea', { name, maxlength: 2000 }, value || '');
  const controls = {
    text: area('text', finding.text), root_cause: area('root_cause', finding.root_cause),
    recommendation: area('recommendation', finding.recommendation), owner: input('owner', finding.owner, { maxlength: 120 }),
    start: input('start', finding.start, { type: 'date' }), due: input('due', finding.due, { type: 'date' }),
    status: el('select', { name: 'status' }, options(STATUSES(), finding.status === 'proposed' ? 'open' : finding.status)),
  };
  const form = el('form', {},
    field(t('Area for improvement'), controls.text, true), field(t('Root cause'), controls.root_cause, true),
    field(t('Recommendation'), controls.recommendation, true), field(t('Owner'), controls.owner), field(t('Start'), controls.start),
    field(t('Due'), controls.due), field(t('Status'), controls.status),
    el('button', { type: 'submit' }, finding.finding ? t('Save the finding') : t('Adopt the finding')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { finding: finding.finding, scope: finding.scope, objective: finding.objective, capability: finding.capability };
    for (const [key, control] of Object.entries(controls)) body[key] = control.value;
    try {
      await api(`${base}/improvement-plan`, { method: 'POST', token, body });
      await load();
    } catch (error) { failed(error); }
  });
  const heading = [finding.finding || t('proposed'), finding.objective, finding.capability].filter(Boolean).join(' · ');
  return el('article', { class: 'plan-row' }, el('h3', {}, heading || t('Course lesson')),
    finding.evidence ? el('p', { class: 'meta' }, finding.evidence) : null, form);
}

// The lead facilitator assigns the named evaluators (the control cell's list is theirs to read).
async function renderEvaluators(doc) {
  const names = Object.fromEntries(doc.teams.map((team) => [team.id, team.name]));
  replaceChildren($('#evaluator-list'), doc.evaluators.length ? doc.evaluators.map((e) =>
    el('li', {}, `${e.name}: ${e.teams.map((team) => names[team] || team).join(', ')}`))
    : el('li', { class: 'meta' }, t('Nobody assigned yet.')));
  const members = await api('/api/staff', { token }).then((r) => r.members.filter((m) => m.role === 'evaluator')).catch(() => []);
  $('#assign-form').hidden = !members.length;
  replaceChildren($('#assign-evaluator'), members.map((m) => el('option', { value: m.id }, m.name)));
  replaceChildren($('#assign-teams'), doc.teams.map((team) => el('label', {},
    el('input', { type: 'checkbox', value: team.id }), team.name)));
}

async function download(format) {
  const response = await fetch(`${base}/improvement-plan.${format}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) { failed(new Error(t('request failed ({status})', { status: response.status }))); return; }
  const a = el('a', { href: URL.createObjectURL(await response.blob()), download: `improvement-plan-${exercise}.${format}` });
  document.body.append(a);
  a.click();
  a.remove();
}

async function load() {
  $('#evaluation-error').textContent = '';
  const [doc, plan] = await Promise.all([api(`${base}/evaluation`, { token }), api(`${base}/improvement-plan`, { token })]);
  $('#evaluation-title').textContent = `${t('Evaluation')} · ${doc.title}`;
  replaceChildren($('#guide-links'), doc.teams.map((team) => el('li', {},
    el('a', { href: `/evaluation/${encodeURIComponent(exercise)}/guide?team=${encodeURIComponent(team.id)}` }, team.name))));
  replaceChildren($('#rating-items'), doc.items.map(ratingItem));
  await renderEvaluators(doc);
  const participants = plan.findings.filter((f) => f.scope !== 'course');
  replaceChildren($('#plan-rows'), participants.length ? participants.map(planRow) : el('p', { class: 'meta' }, t('Nothing to plan yet.')));
  const course = plan.findings.filter((f) => f.scope === 'course');
  replaceChildren($('#course-rows'), course.map(planRow), planRow({ finding: '', scope: 'course', objective: '', capability: '', status: 'open' }));
}

$('#assign-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const teams = [...document.querySelectorAll('#assign-teams input:checked')].map((box) => box.value);
  try {
    await api(`${base}/evaluators`, { method: 'POST', token, body: { evaluator: $('#assign-evaluator').value, teams } });
    await load();
  } catch (error) { failed(error); }
});
$('#plan-xlsx').addEventListener('click', () => download('xlsx'));
$('#plan-csv').addEventListener('click', () => download('csv'));
$('#plan-upload').addEventListener('change', async (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const response = await fetch(`${base}/improvement-plan.xlsx?name=${encodeURIComponent(file.name)}`,
    { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: file });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) failed(new Error(answer.error?.message || t('request failed ({status})', { status: response.status })));
  else await load();
  e.target.value = '';
});
document.addEventListener('seat-language', () => load().catch(failed));
load().catch(failed);
