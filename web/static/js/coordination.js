// The Coordination panel of the team view: humanitarian notifications (deconfliction),
// requests for assistance, information sharing, media and public statements, and the
// team's decision log. Rows come from workflows.js; this module adds the team's forms
// and the actions its component may take.

import { $, clearSent, el, replaceChildren, toast } from './dom.js';
import { exNow, parseOffset } from './clock.js';
import { nameOf } from './content_language.js';
import { casevacRow, decisionRow, documentRow, isExpired, mediaFeed, mediaRow, notificationRow, rfaRow, statementRow,
  taskingRow } from './workflows.js';
import { t } from './i18n.js';
import { assetName, decisionName, guidelineName, supportName } from './words.js';

const ASSETS = ['transport', 'water', 'logistics', 'medical', 'engineering', 'air', 'escort'];
const SUPPORT = ['indirect', 'infrastructure', 'direct'];

function checkboxes(id, components) {
  return el('div', { id, class: 'share-with' }, el('span', { class: 'meta' }, t('Share with:') + ' '),
    components.map((c) => el('label', {}, el('input', { type: 'checkbox', value: c.id }), ` ${c.name}`)));
}

function checked(root, id) {
  return [...root.querySelectorAll(`#${id} input:checked`)].map((i) => i.value);
}

export class CoordinationPanel {
  constructor(view, root, getMap, memory) {
    this.view = view;
    this.root = root;
    this.getMap = getMap;
    this.memory = memory;
    this.route = [];
    this.place = null; // where a document being shared sits on the map
    this.typed = new Map(); // what is typed in the rows' controls, kept when the lists are redrawn
  }

  // An input or select of a row whose value survives re-rendering (keyed by the row and its role).
  kept(node, key) {
    if (this.typed.has(key)) node.value = this.typed.get(key);
    const keep = () => this.typed.set(key, node.value);
    node.addEventListener('input', keep);
    node.addEventListener('change', keep);
    return node;
  }

  get you() { return this.view.you; }

  async run(type, fields) {
    try {
      return await this.view.command(type, fields);
    } catch (error) {
      toast(error.message);
      return null;
    }
  }

  // Runs a command made from the form's fields; once it is acknowledged, empties the fields
  // (`ids`) that still hold what was sent.
  async submit(type, fields, ids) {
    const inputs = ids.map((id) => $(id));
    const sent = inputs.map((input) => input.value);
    const done = await this.run(type, fields);
    if (done) clearSent(inputs, sent);
    return done;
  }

  now() { return Math.max(0, Math.floor(exNow(this.view.state.clock, this.view.serverOffset))); }

  // The components a notification may go to: the mission's and the parties the control cell plays.
  notified() {
    const scenario = this.view.state.scenario;
    return scenario.components.filter((c) => c.id !== this.you.component)
      .map((c) => ({ ...c, name: c.played_by_control ? t('{name} (a party, played by control)', { name: nameOf(c, scenario) })
        : nameOf(c, scenario) }));
  }

  others() { // named in the seat's language
    const scenario = this.view.state.scenario;
    return scenario.components.filter((c) => c.id !== this.you.component && !c.played_by_control)
      .map((c) => ({ ...c, name: nameOf(c, scenario) }));
  }

  setUp() {
    const comp = this.you.component;
    replaceChildren($('#wf-notify-form', this.root), comp === 'humanitarian' ? this.notifyForm() : null);
    replaceChildren($('#wf-rfa-form', this.root), comp === 'humanitarian' ? this.rfaForm() : null);
    replaceChildren($('#wf-tasking-form', this.root), comp === 'civilian' ? this.taskingForm() : null);
    replaceChildren($('#wf-casevac-form', this.root), this.casevacForm());
    replaceChildren($('#wf-share-form', this.root), this.shareForm());
    replaceChildren($('#wf-statement-form', this.root), this.statementForm());
    replaceChildren($('#wf-decision-form', this.root), this.decisionForm());
    this.renderInjectChoices();
    this.render();
  }

  // -- humanitarian notification --------------------------------------------------

  notifyForm() {
    return el('fieldset', { class: 'wf-notify' },
      el('legend', {}, t('Notify a site or a movement')),
      el('p', { class: 'meta notification-caveat' }, t('A notification informs: it is not an authorisation and no guarantee of safety. International humanitarian law applies whether or not it is acknowledged.')),
      el('select', { id: 'notify-kind', 'aria-label': t('Site or movement'), onchange: () => this.resetRoute() },
        el('option', { value: 'movement' }, t('movement (convoy, distribution)')), el('option', { value: 'site' }, t('site'))),
      el('input', { id: 'notify-name', maxlength: 200, placeholder: t('Name (e.g. convoy to Kora)') }),
      el('label', {}, t('From') + ' ', el('input', { id: 'notify-start', placeholder: t('now'), size: 6,
        title: t('Exercise time such as +1:30; empty for now') })),
      el('label', {}, t('for') + ' ', el('input', { id: 'notify-for', value: '2:00', size: 5, title: t('Hours and minutes') })),
      checkboxes('notify-share', this.notified()),
      el('button', { type: 'button', id: 'notify-draw', onclick: () => this.drawRoute() }, t('Draw on map')),
      el('span', { id: 'notify-points' }, ''),
      el('button', { type: 'button', id: 'notify-send', onclick: () => this.sendNotification() }, t('Send notification')));
  }

  resetRoute() {
    this.route = [];
    this.getMap().stopPicking();
    this.getMap().showDraft([]);
    $('#notify-points').textContent = '';
  }

  drawRoute() {
    this.route = [];
    const site = $('#notify-kind').value === 'site';
    $('#notify-points').textContent = site ? t('Click the site on the map.') : t('Click points of the route on the map.');
    const map = this.getMap();
    map.showDraft([]);
    const shown = () => {
      map.showDraft(this.route);
      $('#notify-points').textContent = site ? t('site placed') : t('{n} point(s)', { n: this.route.length });
      if (site) return;
      map.showDrawing({ count: this.route.length,
        onUndo: () => { this.route.pop(); shown(); },
        onDone: () => { map.stopPicking(); $('#notify-send').focus(); } });
    };
    const next = (at) => {
      this.route.push(at);
      if (!site) map.pick(next);
      shown();
    };
    map.pick(next);
    if (!site) shown();
  }

  async sendNotification() {
    this.getMap().stopPicking();
    const kind = $('#notify-kind').value;
    if (kind === 'movement' && this.route.length < 2) { toast(t('Draw the route first: at least two points.')); return; }
    if (kind === 'site' && this.route.length !== 1) { toast(t('Place the site on the map first.')); return; }
    const startText = $('#notify-start').value.trim();
    const start = startText ? parseOffset(startText) : this.now();
    const length = parseOffset($('#notify-for').value);
    if (start === null) { toast(t('Start at an exercise time such as +1:30, or leave it empty for now.')); return; }
    if (!length) { toast(t('Give the length of the window, such as 2:00.')); return; }
    const geometry = kind === 'site' ? { type: 'Point', coordinates: this.route[0] }
      : { type: 'LineString', coordinates: this.route };
    const done = await this.submit('notification.submit', { kind, name: $('#notify-name').value.trim(),
      window_start: start, window_end: start + length, share_with: checked(this.root, 'notify-share'),
      geometry }, ['#notify-name']);
    if (done) this.resetRoute();
  }

  notificationControls(n) {
    const you = this.you;
    const mayAck = ['military', 'police'].includes(you.component) && n.share_with.includes(you.component)
      && !(n.acks || {})[you.team] && !isExpired(this.view, n);
    return mayAck ? el('button', { type: 'button', class: 'ack-notification',
      onclick: () => this.run('notification.acknowledge', { notification_id: n.notification_id }) }, t('Acknowledge')) : null;
  }

  // -- request for military or civil defence assets --------------------------------
  // Every last-resort criterion is a field (core/workflows/last_resort.py): the server refuses a
  // request that leaves one out and names it.

  rfaForm() {
    const scenario = this.view.state.scenario;
    const ocha = scenario.ocha_team;
    const field = (id, placeholder, rows = 2) => el('textarea', { id, maxlength: 4000, rows, placeholder });
    const alternative = (i) => el('div', { class: 'rfa-alternative' },
      el('input', { class: 'rfa-alt-option', maxlength: 200, 'aria-label': t('Civilian alternative {n}', { n: i }),
        placeholder: t('Civilian alternative considered (e.g. UNHAS, commercial trucks)') }),
      el('input', { class: 'rfa-alt-why', maxlength: 4000, 'aria-label': t('Why alternative {n} fails', { n: i }),
        placeholder: t('Why it fails') }));
    const escort = el('fieldset', { id: 'rfa-escort', hidden: true },
      el('legend', {}, t('Armed escort: the four IASC criteria')),
      field('rfa-escort-criticality', t('Humanitarian need and programme criticality')),
      field('rfa-escort-authorities', t('Why the responsible authorities cannot provide security')),
      field('rfa-escort-safety', t('How the escort lowers, not raises, the risk to the convoy')),
      field('rfa-escort-sustainability', t('How it leaves the capacity to operate later intact')),
      el('input', { id: 'rfa-escort-srm', maxlength: 200, placeholder: t('Security risk assessment reference') }));
    const mayRoute = ocha && ocha !== this.you.team;
    return el('fieldset', { class: 'wf-rfa' },
      el('legend', {}, t('Request military or civil defence assets')),
      el('p', { class: 'meta guideline' }, t('{guideline}: military assets only as a last resort, for a limited time.',
        { guideline: guidelineName(scenario.guideline) })),
      el('select', { id: 'rfa-asset', 'aria-label': t('Asset'),
        onchange: () => { escort.hidden = $('#rfa-asset').value !== 'escort'; } },
      el('option', { value: '' }, t('Choose an asset…')), ASSETS.map((a) => el('option', { value: a }, assetName(a)))),
      field('rfa-need', t('The critical or life-saving need')),
      alternative(1), alternative(2),
      field('rfa-unique', t('Unique capability or timeliness: what no civilian asset can do in time')),
      el('select', { id: 'rfa-support', 'aria-label': t('Type of support') },
        el('option', { value: '' }, t('Type of support (the least direct preferred)…')),
        SUPPORT.map((v) => el('option', { value: v }, supportName(v)))),
      el('label', {}, t('Needed within') + ' ', el('input', { id: 'rfa-within', value: '3:00', size: 5, title: t('Hours and minutes') })),
      el('label', {}, t('Handed back within') + ' ', el('input', { id: 'rfa-until', value: '6:00', size: 5, title: t('Hours and minutes') })),
      el('input', { id: 'rfa-hand-back', maxlength: 200, placeholder: t('Handed back to (e.g. UNHAS, a contractor)') }),
      el('input', { id: 'rfa-endorsement', maxlength: 4000, placeholder: t('Endorsement of the Humanitarian Coordinator / OCHA') }),
      field('rfa-perception', t('Risk to the perception of neutrality and to access, and how it is limited')),
      escort,
      mayRoute ? el('select', { id: 'rfa-route', 'aria-label': t('Route') },
        el('option', { value: 'ocha' }, t('Through {team} (OCHA/HC)', { team: this.view.teamName(ocha) })),
        el('option', { value: 'direct' }, t('Straight to the military (not channelled through OCHA/HC)'))) : null,
      el('button', { type: 'button', id: 'rfa-send', onclick: () => this.sendRfa() }, t('Request (then click the place)')));
  }

  rfaFields() {
    const alternatives = [...this.root.querySelectorAll('.rfa-alternative')]
      .map((row) => ({ option: $('.rfa-alt-option', row).value.trim(), why_not: $('.rfa-alt-why', row).value.trim() }))
      .filter((a) => a.option || a.why_not);
    const fields = { asset: $('#rfa-asset').value, need: $('#rfa-need').value, alternatives,
      unique_capability: $('#rfa-unique').value, support: $('#rfa-support').value,
      hand_back_to: $('#rfa-hand-back').value, endorsement: $('#rfa-endorsement').value,
      perception_risk: $('#rfa-perception').value };
    if (fields.asset === 'escort') {
      fields.escort = { programme_criticality: $('#rfa-escort-criticality').value,
        responsible_authorities: $('#rfa-escort-authorities').value, safety_security: $('#rfa-escort-safety').value,
        sustainability: $('#rfa-escort-sustainability').value, srm_reference: $('#rfa-escort-srm').value };
    }
    const route = $('#rfa-route');
    if (route) fields.route = route.value;
    return fields;
  }

  sendRfa() {
    const within = parseOffset($('#rfa-within').value);
    const until = parseOffset($('#rfa-until').value);
    if (within === null || until === null) { toast(t('Say within how long, such as 3:00.')); return; }
    toast(t('Click on the map where assistance is needed.'), 4000);
    const now = this.now();
    this.getMap().pick((at) => this.submit('rfa.submit', { ...this.rfaFields(), time_limit: now + within,
      until: now + until, location: { type: 'Point', coordinates: at } },
    ['#rfa-need', '#rfa-unique', '#rfa-perception']));
  }

  rfaControls(r) {
    if (r.team === this.you.team && r.status === 'more_info_requested') {
      const text = this.kept(el('input', { class: 'rfa-clarification', maxlength: 4000,
        placeholder: t('The information asked for') }), `clarify:${r.rfa_id}`);
      return el('div', { class: 'respond' }, text, el('button', { type: 'button', class: 'clarify-rfa',
        onclick: () => this.run('rfa.clarify', { rfa_id: r.rfa_id, text: text.value })
          .then((done) => done && this.typed.delete(`clarify:${r.rfa_id}`)) }, t('Answer')));
    }
    if (r.status === 'with_ocha' && this.you.team === this.view.state.scenario.ocha_team) return this.coordinateControls(r);
    if (this.you.component !== 'military' || ['accepted', 'declined'].includes(r.status)) return null;
    const decision = this.kept(el('select', { class: 'rfa-decision', 'aria-label': t('Decision') },
      ['accept', 'decline', 'more_info'].map((value) => el('option', { value }, decisionName(value)))), `decision:${r.rfa_id}`);
    const reason = this.kept(el('input', { class: 'rfa-reason', maxlength: 4000, placeholder: t('Reason') }),
      `reason:${r.rfa_id}`);
    const condition = (name, placeholder) => this.kept(el('input', { class: `rfa-condition rfa-${name}`, maxlength: 4000,
      placeholder }), `${name}:${r.rfa_id}`);
    const scope = condition('scope', t('If you accept: scope (what you will and will not do)'));
    const duration = condition('duration', t('If you accept: duration'));
    const visibility = condition('visibility', t('If you accept: visibility (markings, presence)'));
    return el('div', { class: 'respond' }, decision, reason, scope, duration, visibility,
      el('button', { type: 'button', class: 'respond-rfa',
        onclick: () => this.respond(r.rfa_id, decision.value, reason.value.trim(),
          { scope: scope.value, duration: duration.value, visibility: visibility.value }) },
      t('Respond')));
  }

  coordinateControls(r) {
    const note = this.kept(el('input', { class: 'rfa-note', maxlength: 4000,
      placeholder: t('Your assessment against the last-resort criteria') }), `note:${r.rfa_id}`);
    const send = (decision) => this.run('rfa.coordinate', { rfa_id: r.rfa_id, decision, note: note.value })
      .then((done) => done && this.typed.delete(`note:${r.rfa_id}`));
    return el('div', { class: 'respond coordinate' }, note,
      el('button', { type: 'button', class: 'forward-rfa', onclick: () => send('forward') }, t('Forward to the military')),
      el('button', { type: 'button', class: 'return-rfa', onclick: () => send('return') }, t('Return to the requester')));
  }

  async respond(rfaId, decision, reason, conditions) {
    const fields = { rfa_id: rfaId, decision };
    if (reason) fields.reason = reason; // a bare accept needs none
    if (decision === 'accept') fields.conditions = conditions;
    if (await this.run('rfa.respond', fields)) {
      for (const key of ['decision', 'reason', 'scope', 'duration', 'visibility']) this.typed.delete(`${key}:${rfaId}`);
    }
  }

  // -- mission tasking (civilian component) and casualty evacuation -----------------

  taskingForm() {
    return el('fieldset', { class: 'wf-tasking' },
      el('legend', {}, t('Ask the mission for its engineers or transport')),
      el('select', { id: 'tasking-asset', 'aria-label': t('Mission asset') },
        el('option', { value: '' }, t('Choose an asset…')),
        el('option', { value: 'engineering' }, t('mission engineers')), el('option', { value: 'transport' }, t('mission transport'))),
      el('textarea', { id: 'tasking-task', maxlength: 4000, rows: 2, placeholder: t('The task') }),
      el('textarea', { id: 'tasking-mandate', maxlength: 4000, rows: 2, placeholder: t('How it falls within the mission\'s mandate') }),
      el('textarea', { id: 'tasking-harm', maxlength: 4000, rows: 2,
        placeholder: t('Do no harm: its effect on local contractors and the economy, and who takes over') }),
      el('label', {}, t('Needed within') + ' ', el('input', { id: 'tasking-within', value: '6:00', size: 5, title: t('Hours and minutes') })),
      el('button', { type: 'button', id: 'tasking-send', onclick: () => this.sendTasking() }, t('Request (then click the place)')));
  }

  sendTasking() {
    const within = parseOffset($('#tasking-within').value);
    if (within === null) { toast(t('Say within how long, such as 3:00.')); return; }
    toast(t('Click on the map where the task is.'), 4000);
    const now = this.now();
    this.getMap().pick((at) => this.submit('tasking.request', { asset: $('#tasking-asset').value,
      task: $('#tasking-task').value, mandate: $('#tasking-mandate').value, do_no_harm: $('#tasking-harm').value,
      time_limit: now + within, location: { type: 'Point', coordinates: at } },
    ['#tasking-task', '#tasking-mandate', '#tasking-harm']));
  }

  taskingControls(r) {
    if (this.you.component !== 'military' || r.status !== 'requested') return null;
    const reason = this.kept(el('input', { class: 'tasking-reason', maxlength: 4000, placeholder: t('Reason') }),
      `tasking:${r.tasking_id}`);
    const send = (decision) => this.run('tasking.respond', { tasking_id: r.tasking_id, decision, reason: reason.value })
      .then((done) => done && this.typed.delete(`tasking:${r.tasking_id}`));
    return el('div', { class: 'respond' }, reason,
      el('button', { type: 'button', class: 'accept-tasking', onclick: () => send('accept') }, decisionName('accept')),
      el('button', { type: 'button', class: 'decline-tasking', onclick: () => send('decline') }, decisionName('decline')));
  }

  casevacForm() {
    return el('fieldset', { class: 'wf-casevac' },
      el('legend', {}, t('Call a casualty evacuation (CASEVAC)')),
      el('p', { class: 'meta' }, t('An emergency, at once, through UNDSS and the mission\'s operations centre: no request form.')),
      el('input', { id: 'casevac-count', type: 'number', min: 1, max: 500, value: 1, 'aria-label': t('Casualties') }),
      el('input', { id: 'casevac-condition', maxlength: 4000, placeholder: t('Their condition') }),
      el('button', { type: 'button', id: 'casevac-send', onclick: () => this.callCasevac() }, t('Call (then click the place)')));
  }

  callCasevac() {
    toast(t('Click on the map where the casualties are.'), 4000);
    this.getMap().pick((at) => this.submit('casevac.call', { casualties: Number($('#casevac-count').value),
      condition: $('#casevac-condition').value, location: { type: 'Point', coordinates: at } }, ['#casevac-condition']));
  }

  // -- information sharing --------------------------------------------------------

  shareForm() {
    return el('fieldset', { class: 'wf-share' },
      el('legend', {}, t('Share a document')),
      el('input', { id: 'share-title', maxlength: 200, placeholder: t('Title') }),
      el('textarea', { id: 'share-body', maxlength: 4000, rows: 2, placeholder: t('Content') }),
      checkboxes('share-with', this.others()),
      el('label', {}, el('input', { type: 'checkbox', id: 'share-sensitive' }),
        ' ' + t('Sensitive (cannot be forwarded; every opening is logged)')),
      el('button', { type: 'button', id: 'share-place', onclick: () => this.placeDocument() }, t('Add a place on the map')),
      el('span', { id: 'share-placed' }, ''),
      el('button', { type: 'button', id: 'share-send', onclick: () => this.sendDocument() }, t('Share')));
  }

  placeDocument() {
    $('#share-placed').textContent = t('Click the place on the map.');
    this.getMap().pick((at) => { this.place = at; $('#share-placed').textContent = t('place set'); });
  }

  async sendDocument() {
    const fields = { title: $('#share-title').value.trim(), body: $('#share-body').value.trim(),
      share_with: checked(this.root, 'share-with'), sensitive: $('#share-sensitive').checked };
    if (this.place) fields.location = { type: 'Point', coordinates: this.place };
    if (await this.submit('document.share', fields, ['#share-title', '#share-body'])) {
      $('#share-sensitive').checked = false;
      this.place = null; $('#share-placed').textContent = '';
    }
  }

  documentControls(d) {
    if (d.sealed) {
      return el('button', { type: 'button', class: 'open-document',
        onclick: () => this.run('document.open', { document_id: d.document_id }) }, t('Open (recorded)'));
    }
    if (d.sensitive && d.owner !== this.you.team) return el('div', { class: 'meta' }, t('Sensitive: not to be forwarded.'));
    const choices = this.others().filter((c) => !(d.recipients || []).includes(c.id));
    if (!choices.length) return null;
    const to = this.kept(el('select', { class: 'forward-to', 'aria-label': t('Forward to') },
      choices.map((c) => el('option', { value: c.id }, c.name))), `forward:${d.document_id}`);
    return el('div', { class: 'forward' }, to, el('button', { type: 'button', class: 'forward-document',
      onclick: () => this.run('document.forward', { document_id: d.document_id, to: [to.value] }) }, t('Forward')));
  }

  // -- media and statements, decisions --------------------------------------------

  statementForm() {
    const draft = el('textarea', { id: 'statement-text', maxlength: 4000, rows: 3,
      placeholder: t('Draft your public statement (press line). Drafts stay on this computer until issued.') });
    draft.value = this.memory.get('statement-draft', '');
    draft.addEventListener('input', () => this.memory.set('statement-draft', draft.value));
    return el('fieldset', { class: 'wf-statement' }, el('legend', {}, t('Public statement')), draft,
      el('button', { type: 'button', id: 'statement-send', onclick: () => this.issueStatement() }, t('Issue publicly')));
  }

  async issueStatement() {
    if (await this.submit('statement.issue', { text: $('#statement-text').value.trim() }, ['#statement-text'])) {
      this.memory.set('statement-draft', $('#statement-text').value);
    }
  }

  decisionForm() {
    return el('fieldset', { class: 'wf-decision' }, el('legend', {}, t('Record a decision')),
      el('input', { id: 'decision-what', maxlength: 4000, placeholder: t('What was decided') }),
      el('textarea', { id: 'decision-why', maxlength: 4000, rows: 2, placeholder: t('Why') }),
      el('input', { id: 'decision-consulted', maxlength: 2000, placeholder: t('Who was consulted (comma-separated)') }),
      el('label', { class: 'responds-to' }, t('In response to') + ' ', el('select', { id: 'decision-responds-to' })),
      el('button', { type: 'button', id: 'decision-send', onclick: () => this.recordDecision() }, t('Record')));
  }

  // The decision form's choice of the team's released injects, newest first; kept across releases.
  renderInjectChoices() {
    const select = $('#decision-responds-to', this.root);
    if (!select) return;
    const chosen = select.value;
    const rows = this.view.state.injects.filter((r) => r.status === 'released')
      .sort((a, b) => b.released_seq - a.released_seq);
    replaceChildren(select, el('option', { value: '' }, t('(no inject)')),
      rows.map((r) => el('option', { value: r.inject.id }, `${r.inject.id} ${r.inject.title}`)));
    if (rows.some((r) => r.inject.id === chosen)) select.value = chosen;
  }

  async recordDecision() {
    const consulted = $('#decision-consulted').value.split(',').map((x) => x.trim()).filter(Boolean);
    const fields = { what: $('#decision-what').value.trim(), why: $('#decision-why').value.trim(), consulted };
    const respondsTo = $('#decision-responds-to').value;
    if (respondsTo) fields.responds_to = respondsTo;
    if (await this.submit('decision.record', fields, ['#decision-what', '#decision-why', '#decision-consulted'])) {
      $('#decision-responds-to').value = '';
    }
  }

  // -- lists ------------------------------------------------------------------------

  render() {
    const s = this.view.state;
    if (!s || !this.you) return;
    const v = this.view;
    replaceChildren($('.wf-notifications', this.root), (s.notifications || []).map((n) => notificationRow(v, n,
      this.notificationControls(n))));
    replaceChildren($('.wf-rfas', this.root), (s.rfas || []).map((r) => rfaRow(v, r, this.rfaControls(r))));
    replaceChildren($('.wf-taskings', this.root), (s.taskings || []).map((r) => taskingRow(v, r, this.taskingControls(r))));
    replaceChildren($('.wf-casevacs', this.root), (s.casevacs || []).map((c) => casevacRow(v, c)));
    replaceChildren($('.wf-documents', this.root), (s.documents || []).map((d) => documentRow(v, d, this.documentControls(d))));
    replaceChildren($('.wf-media', this.root), mediaFeed(v).map((m) => mediaRow(v, m)));
    replaceChildren($('.wf-statements', this.root), (s.statements || []).map((x) => statementRow(v, x)));
    replaceChildren($('.wf-decisions', this.root), (s.decisions || []).map((d) => decisionRow(v, d)));
  }
}
