// 来电查询: one box that takes what the caller says or what was pasted (a
// phone number, a room such as 1栋101, a ticket number or a name) and one
// card per household with its residents, what it owes, its open tickets and
// its follow-ups, each linking to its page.
import { get, qs } from './api.js';
import { statuses, kinds, label } from './labels.js';
import { h, fill, fmtTime, fmtYuan, explain, table } from './ui.js';
import { session, go, desk, collectors } from './session.js';
import { followUpStatuses } from './followups.js';
import { residentRoles, phoneReveal } from './contacts.js';

function ticketRow(t) {
  return h('tr', h('td', h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)),
    h('td', `${label(kinds, t.kind)} · ${t.category}`, h('div.muted', t.summary)),
    h('td', h('span.badge.st', label(statuses, t.status))));
}

function householdCard(x) {
  const estate = session.estateId ? '' : (session.estate(x.estate_id) || {}).name;
  const residents = x.residents.length
    ? h('ul.plain.residents', x.residents.map((r) => h('li', { dataset: { resident: String(r.id) } },
      h('a', { href: `#/residents/${r.id}`, title: '业主档案' }, h('strong', r.name)), ` ${label(residentRoles, r.role)} `, phoneReveal(r, 'lookup'))))
    : h('p.muted', '没有登记住户');
  const owed = x.owed_fen > 0 ? h('strong.owed', fmtYuan(x.owed_fen)) : h('span.owed', '无欠费');
  const links = [
    session.has(...desk) ? h('a', { href: `#/tickets/new?household_id=${x.id}` }, '新建工单') : null,
    session.has(...collectors) ? h('a', { href: x.link }, '欠费详情') : null,
  ];
  return h('section.card.household', { dataset: { household: String(x.id) } },
    h('div.row.head', h('h2', x.address), estate ? h('span.muted', estate) : null,
      x.status === 'moved_out' ? h('span.badge', '已迁出') : null),
    h('dl.kv', h('dt', '住户'), h('dd', residents), h('dt', '欠费'), h('dd', owed)),
    h('h3', `未完结工单（${x.open_tickets.length}）`),
    table(`tickets-${x.id}`, ['编号', '内容', '状态'], x.open_tickets.map(ticketRow), '没有未完结的工单'),
    h('h3', `入住回访（${x.follow_ups.length}）`),
    table(`followups-${x.id}`, ['编号', '状态', '回访期限'], x.follow_ups.map((f) => h('tr',
      h('td', h('a', { href: `#/followups/${f.id}` }, `#${f.id}`)),
      h('td', h('span.badge.st', label(followUpStatuses, f.status))),
      h('td', fmtTime(f.due_at)))), '没有进行中的回访'),
    h('div.actions', links));
}

function answer(a) {
  const out = [];
  if (a.ticket) {
    out.push(h('section.card#found-ticket', h('h2', `工单 #${a.ticket.id}`),
      table('found-ticket-table', ['编号', '内容', '状态'], [ticketRow(a.ticket)], '')));
  }
  out.push(a.households.map(householdCard));
  if (!out.flat().length) {
    const hint = a.kinds.includes('phone') && !a.phone_searched ? '（您的角色不能按电话号码查询，请改用房号或姓名）' : '';
    out.push(h('p.muted#lookup-none', `没有找到匹配的住户或工单${hint}`));
  }
  return out;
}

export async function lookupPage(view, { params }) {
  const q = (params.get('q') || '').trim();
  const input = h('input#lookup-q', {
    type: 'search', name: 'q', value: q, maxLength: 50, autocomplete: 'off', enterKeyHint: 'search',
    placeholder: '电话号码、房号（1栋101、1-101）、工单号（#12）或姓名',
  });
  const results = h('div#lookup-results', { 'aria-live': 'polite' });
  const form = h('form.card#lookup', { role: 'search', novalidate: true },
    h('label.f', '来电号码、房号、工单号或姓名', h('div.row', input, h('button', { type: 'submit' }, '查询'))));
  const search = () => go('#/lookup' + qs({ q: input.value.trim() }));
  form.addEventListener('submit', (e) => { e.preventDefault(); search(); });
  // A pasted number is searched at once.
  input.addEventListener('paste', () => setTimeout(search, 0));
  fill(view, h('h1', '来电查询'), form, results);
  input.focus();
  if (!q) {
    fill(results, h('p.muted', '输入或粘贴来电号码，即可看到住户、欠费、未完结工单和回访。'));
    return;
  }
  fill(results, h('p.muted', '正在查询…'));
  try {
    fill(results, answer(await get('/lookup' + qs({ q }))));
  } catch (err) {
    if (err.status === 401) throw err;
    fill(results, h('div.banner.error', { role: 'alert' }, explain(err)));
  }
}
