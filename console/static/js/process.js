// What every process page shares (a ticket, a follow-up visit, a collection
// case): the staff named on it, the timeline of its events and messages,
// the action bar with the forms its actions open, polling while the page is
// shown, and one Idempotency-Key per submission. The pages keep their own
// rules: the labels, the forms and what to show.
import { get, post, qs, newKey } from './api.js';
import { roles, msgStatus, contactChannels, deliveryStatus, label, explain } from './labels.js';
import { h, fill, fmtTime, showError, clearErrors, toast } from './ui.js';
import { onLeave } from './session.js';

/** The staff of an estate by ID, with their open work: the active ones, or all with all set. */
export async function loadStaff(estateId, all) {
  const l = await get('/staff' + qs({ estate_id: estateId, active: !all, workload: true, page_size: 200 }));
  return new Map((l.items || []).map((s) => [s.id, s]));
}

const staffName = (s) => `${s.name}（${label(roles, s.role)}）`;

/** who(id) for staff: "name（role）", "员工 #id" if unknown, "系统" for none. */
export const namer = (staff) => (id) => {
  if (!id) return '系统';
  const s = staff.get(id);
  return s ? staffName(s) : `员工 #${id}`;
};

/**
 * Calls load every ms while the page is shown; a turn is skipped while the
 * last call still runs, and a failure waits for the next turn.
 */
export function poll(load, ms) {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try { await load(); } catch (_) { /* next turn */ } finally { busy = false; }
  }, ms);
  onLeave(() => clearInterval(timer));
}

/**
 * Returns send(path, body), a POST whose Idempotency-Key is one per
 * submission: sending the same request again after a failure (a retry, whose
 * first try may have got through) keeps its key, so the server applies it at
 * most once; another request, or any after a success, gets a new key, since
 * the server refuses a key reused with a different body.
 */
export function submissions() {
  let last = '';
  let key = '';
  return async (path, body) => {
    const request = `${path} ${JSON.stringify(body === undefined ? null : body)}`;
    if (request !== last) {
      last = request;
      key = newKey();
    }
    const out = await post(path, body, key);
    last = '';
    return out;
  };
}

/**
 * Draws a process's events and the messages it sent into el, newest first.
 * events come in the server's order (time, then revision); types and
 * statuses label their types and statuses; event(e) may give an event's
 * class, its notes and a status part to show instead of "from → to".
 * bodies shows the messages' text; id names the list.
 */
export function timeline(el, { title, id, who, events, messages = [], types, statuses, event = () => ({}), bodies }) {
  const items = [...events].reverse().map((e) => ({ at: e.at, el: eventItem(e, who, types, statuses, event(e)) }));
  for (const m of messages) items.push({ at: m.sent_at || m.created_at, el: messageItem(m, who, bodies) });
  items.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  fill(el, h('h2', title), items.length ? h('ul.timeline', { id }, items.map((i) => i.el)) : h('p.muted', '暂无'));
}

function eventItem(e, who, types, statuses, { cls, notes = [], status }) {
  const change = e.from_status && e.from_status !== e.to_status ? ` ${label(statuses, e.from_status)} → ${label(statuses, e.to_status)}` : '';
  return h('li', { className: cls || '', dataset: { type: e.type } },
    h('div.when', `${fmtTime(e.at)} · ${who(e.actor_id)}`),
    h('div', h('b', label(types, e.type)), status === undefined ? change : status),
    notes.length ? h('div.muted', notes.join('；')) : null);
}

function messageItem(m, who, bodies) {
  const to = m.recipient_kind === 'staff' ? who(m.recipient_id) : '业主';
  return h('li.msg', { dataset: { type: 'message' } },
    h('div.when', `${fmtTime(m.sent_at || m.created_at)} · 消息 → ${to}（${label(contactChannels, m.channel)}）· ${label(msgStatus, m.status)}`),
    h('div', m.subject || m.template),
    m.deliveries?.length ? h('div.muted.deliveries',
      m.deliveries.map((d) => `${label(contactChannels, d.channel)}${label(deliveryStatus, d.status)}${d.reason ? `（${d.reason}）` : ''}`).join(' → ')) : null,
    bodies ? h('div.muted', m.body) : null);
}

/**
 * The form an action opens, named by data-form; its fields go in with
 * append, then end(...) adds its buttons: a submit button for each text (or
 * the buttons given) and 取消, with which actionBar closes it.
 */
export function formFor(name, cls = '') {
  const form = h('form.card' + cls, { novalidate: true, dataset: { form: name } });
  form.end = (...buttons) => {
    form.append(h('div.actions', buttons.map((b) => (typeof b === 'string' ? h('button', { type: 'submit' }, b) : b)),
      h('button.secondary.cancel-form', { type: 'button' }, '取消')));
    return form;
  };
  return form;
}

/** The input of a reason (at most 500 characters). */
export const reasonInput = (placeholder, name = 'reason') => h('input', { name, maxLength: 500, placeholder });

/** A select of staff for assignee_id, in the order given, each with the work open in their name. */
export const staffSelect = (people) => h('select', { name: 'assignee_id' }, h('option', { value: '' }, '请选择'),
  people.map((p) => h('option', { value: String(p.id) }, staffName(p) + (p.open_work === undefined ? '' : ` · 在办 ${p.open_work} 件`))));

/** A select of a score from 5 down to 1. */
export const scoreSelect = (name) => h('select', { name }, h('option', { value: '' }, '请选择'),
  [5, 4, 3, 2, 1].map((n) => h('option', { value: String(n) }, `${n} 分`)));

/**
 * Draws into el the actions the caller may take now, as buttons, and runs
 * them. The page gives:
 *   title; mark, the data attribute naming a button's action ('action');
 *   msgId and formId for the message line and the form's box;
 *   actions() → [[name, text, style]], what is allowed now, in order;
 *   none() → the text shown when nothing is;
 *   form(name, target) → the form an action opens (made with formFor),
 *     or null to send the action with one press;
 *   request(name, form, submitter) → {path, body, done}, or null to send
 *     nothing; it may throw an invalid-input error naming a field;
 *   reload() → reads the process again and redraws the page.
 * Returns draw(), which the page calls whenever it redraws (the buttons
 * change only when the actions do, never under an open form), and
 * open(name, target), for an action started from elsewhere on the page.
 *
 * A refused field shows beside it; an action the state or role no longer
 * allows closes the form and reloads; other failures leave the form open,
 * to try again (the same request keeps its key).
 */
export function actionBar(el, { title, mark = 'action', msgId, formId, actions, none, form: build, request, reload }) {
  const msg = h('div', { id: msgId });
  const box = h('div', { id: formId });
  const send = submissions();
  let openForm = null;
  let busy = false;
  let shown = '';

  const draw = () => {
    if (openForm || busy) return;
    const list = actions();
    const empty = list.length ? '' : none();
    const now = JSON.stringify([list, empty]);
    if (now === shown) return;
    shown = now;
    fill(el, h('h2', title), msg, list.length
      ? h('div.actions', list.map(([name, text, style]) => h('button', {
        type: 'button', className: style || '', dataset: { [mark]: name }, onclick: () => open(name),
      }, text)))
      : h('p.muted', empty), box);
  };

  const close = () => {
    openForm = null;
    fill(box);
    draw();
  };

  const submit = async (name, form, submitter) => {
    if (form) clearErrors(form);
    let req;
    // request may ask first (a confirmation dialog): null sends nothing.
    try { req = await request(name, form, submitter); } catch (bad) { showError(form, bad); return; }
    if (!req) return;
    fill(msg);
    const buttons = [...el.querySelectorAll('button')];
    buttons.forEach((b) => { b.disabled = true; });
    busy = true;
    try {
      await send(req.path, req.body);
    } catch (err) {
      busy = false;
      buttons.forEach((b) => { b.disabled = false; });
      const gone = err.code === 'invalid_state' || err.code === 'forbidden';
      if (form && !gone) { showError(form, err); return; }
      fill(msg, h('div.banner.error', { role: 'alert' }, explain(err)));
      if (gone) {
        close();
        await reload().catch(() => {});
      }
      return;
    }
    busy = false;
    buttons.forEach((b) => { b.disabled = false; });
    toast(req.done);
    openForm = null;
    await reload().catch(() => {});
    close();
  };

  const open = (name, target) => {
    fill(msg);
    const form = build(name, target);
    if (!form) { submit(name, null, null); return; }
    form.addEventListener('submit', (e) => { e.preventDefault(); submit(name, form, e.submitter); });
    form.querySelector('.cancel-form').addEventListener('click', close);
    openForm = form;
    fill(box, form);
    el.scrollIntoView({ block: 'nearest' });
    const first = form.querySelector('input:not([type=hidden]), select, textarea');
    if (first) first.focus();
  };

  return { draw, open };
}
