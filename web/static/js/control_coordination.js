// The coordination workflows as the control cell sees them (control panel and evaluator
// view): every notification, request, shared document with who opened it, public
// statement and decision. The facilitator also publishes simulated media here, and
// answers a statement with follow-up media; the evaluator reads, and turns any item into
// the subject of an observation (`observe`).

import { $, clearSent, el, replaceChildren, toast } from './dom.js';
import { casevacRow, decisionRow, documentRow, mediaFeed, mediaRow, notificationRow, rfaRow, statementRow, taskingRow }
  from './workflows.js';
import { t } from './i18n.js';
import { mediaKindName } from './words.js';
import { nameOf } from './content_language.js';

const MEDIA_KINDS = ['article', 'radio', 'social'];

export class ControlCoordination {
  constructor(view, root, { publish = false, observe = null } = {}) {
    this.view = view;
    this.root = root;
    this.publish = publish;
    this.observe = observe; // (team, subject) => void: start an observation about an item
  }

  observeButton(team, subject) {
    return this.observe ? el('button', { type: 'button', class: 'observe-item',
      onclick: () => this.observe(team, subject) }, t('Observe')) : null;
  }

  setUp() {
    replaceChildren($('#wf-media-form', this.root), this.publish ? this.mediaForm() : null);
    this.render();
  }

  mediaForm() {
    return el('form', { id: 'media-form', class: 'stacked', autocomplete: 'off',
      onsubmit: (e) => { e.preventDefault(); this.sendMedia(); } },
    el('div', { class: 'form-row' },
      el('label', {}, t('Outlet') + ' ', el('input', { id: 'media-outlet', maxlength: 200, required: true,
        placeholder: t('Radio Tamsa, The Nalora Herald, @TamsaWatch') })),
      el('label', {}, t('Kind') + ' ', el('select', { id: 'media-kind' },
        MEDIA_KINDS.map((value) => el('option', { value }, mediaKindName(value))))),
      el('label', {}, t('In reply to') + ' ', el('select', { id: 'media-reply' }, el('option', { value: '' }, t('(nothing)'))))),
    el('label', {}, t('Headline') + ' ', el('input', { id: 'media-headline', maxlength: 200, required: true })),
    el('label', {}, t('Text') + ' ', el('textarea', { id: 'media-body', maxlength: 4000, rows: 2, required: true })),
    el('button', { type: 'submit', id: 'media-send' }, t('Publish to everyone')));
  }

  async sendMedia() {
    const reply = $('#media-reply').value;
    const typed = [$('#media-headline'), $('#media-body')];
    const sent = typed.map((f) => f.value);
    try {
      await this.view.command('media.publish', { outlet: $('#media-outlet').value.trim(), kind: $('#media-kind').value,
        headline: $('#media-headline').value.trim(), body: $('#media-body').value.trim(), in_reply_to: reply || null });
      clearSent(typed, sent);
      if ($('#media-reply').value === reply) $('#media-reply').value = '';
    } catch (error) {
      toast(error.message);
    }
  }

  answer(statementId) {
    const select = $('#media-reply');
    select.value = statementId;
    $('#media-headline').focus();
  }

  renderReplyOptions() {
    const select = $('#media-reply');
    if (!select) return;
    const kept = select.value;
    const s = this.view.state;
    replaceChildren(select, el('option', { value: '' }, t('(nothing)')),
      (s.statements || []).map((x) => el('option', { value: x.statement_id },
        `${x.statement_id} ${t('statement by {team}', { team: this.view.teamName(x.team) })}`)),
      (s.media || []).map((m) => el('option', { value: m.media_id }, `${m.media_id} ${m.headline}`)));
    select.value = kept;
  }

  // The facilitator acknowledges a notification for each notified party it plays (HNS4D).
  partyControls(n) {
    if (!this.publish) return null;
    const { scenario } = this.view.state;
    const parties = scenario.components.filter((c) => c.played_by_control && n.share_with.includes(c.id)
      && !(n.acks || {})[c.id]);
    return parties.map((c) => el('button', { type: 'button', class: 'ack-for-party', dataset: { party: c.id },
      onclick: () => this.view.command('notification.acknowledge', { notification_id: n.notification_id, party: c.id })
        .catch((error) => toast(error.message)) }, t('Acknowledge for {party}', { party: nameOf(c, scenario) })));
  }

  // The facilitator answers a CASEVAC as UNDSS and the mission's operations centre.
  dispatchControls(c) {
    if (!this.publish || c.dispatched) return null;
    const note = el('input', { class: 'casevac-note', maxlength: 4000, placeholder: t('What is on its way (UNDSS, operations centre)') });
    return el('div', { class: 'respond' }, note, el('button', { type: 'button', class: 'dispatch-casevac',
      onclick: () => this.view.command('casevac.dispatch', { casevac_id: c.casevac_id, note: note.value })
        .catch((error) => toast(error.message)) }, t('Dispatch')));
  }

  render() {
    const s = this.view.state;
    if (!s) return;
    const v = this.view;
    const answer = (x) => (this.publish ? el('button', { type: 'button', class: 'answer-statement',
      onclick: () => this.answer(x.statement_id) }, t('Answer with media')) : null);
    const about = (team, id) => this.observeButton(team, id);
    replaceChildren($('.wf-notifications', this.root), (s.notifications || []).map((n) => notificationRow(v, n,
      [this.partyControls(n), about(n.team, `${n.notification_id} ${n.name}`)])));
    replaceChildren($('.wf-rfas', this.root), (s.rfas || []).map((r) => rfaRow(v, r, about(r.team, `${r.rfa_id} ${r.asset}`))));
    replaceChildren($('.wf-taskings', this.root), (s.taskings || []).map((r) => taskingRow(v, r,
      about(r.team, `${r.tasking_id} ${r.task}`))));
    replaceChildren($('.wf-casevacs', this.root), (s.casevacs || []).map((c) => casevacRow(v, c,
      [this.dispatchControls(c), about(c.team, c.casevac_id)])));
    replaceChildren($('.wf-documents', this.root), (s.documents || []).map((d) => documentRow(v, d,
      about(d.owner, `${d.document_id} ${d.title}`))));
    replaceChildren($('.wf-media', this.root), mediaFeed(v).map((m) => mediaRow(v, m)));
    replaceChildren($('.wf-statements', this.root), (s.statements || []).map((x) => statementRow(v, x,
      [answer(x), about(x.team, t('public statement {id}', { id: x.statement_id }))])));
    replaceChildren($('.wf-decisions', this.root), (s.decisions || []).map((d) => decisionRow(v, d,
      about(d.team, `${d.decision_id} ${d.what}`))));
    this.renderReplyOptions();
  }
}
