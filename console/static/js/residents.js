// The owner file (业主档案): one resident with their household and
// address, the service needs and move-in, the follow-up visits with their
// records, the tickets, the messages sent and the bills. And the managers'
// log of phone reveals (查看记录): who revealed whose number, when and from
// which page.
import { get, qs } from './api.js';
import { statuses, kinds, msgStatus, label } from './labels.js';
import { h, fill, fmtTime, fmtYuan, table } from './ui.js';
import { session, collectors, desk } from './session.js';
import { followUpStatuses, itemKinds } from './followups.js';
import { periodName } from './arrears.js';
import { residentRoles, needsText, phoneReveal } from './contacts.js';
import { residentLinksCard } from './residentlinks.js';

const visitChannels = { in_person: '上门', phone: '电话' };

function visitText(v) {
  if (!v) return '—';
  const items = (v.items || []).map((i) => `${label(itemKinds, i.kind)}：${i.text}`).join('；') || '无事项';
  return `${fmtTime(v.visited_at, true)} ${label(visitChannels, v.channel)} · 满意度 ${v.satisfaction} · ${items}`;
}

export async function ownerFilePage(view, { match }) {
  const id = Number(match[1]);
  const f = await get(`/residents/${id}`);
  const hh = f.household;
  const needs = needsText(f.service_needs);
  // A reporter (报事人) recorded by phone is in no household: no household links.
  const links = hh.id ? [
    session.has(...desk) ? h('a', { href: `#/tickets/new?household_id=${hh.id}` }, '新建工单') : null,
    session.has(...collectors) ? h('a', { href: `#/arrears/${hh.id}` }, '欠费详情') : null,
  ] : [];
  fill(view,
    h('div.row.head', h('h1#owner-file-name', `${hh.id ? '业主档案' : '报事人'} · ${f.name}`), h('span.badge', label(residentRoles, f.role)),
      hh.status === 'moved_out' ? h('span.badge', '已迁出') : null),
    h('section.card#owner-file',
      h('dl.kv',
        h('dt', '电话'), h('dd', phoneReveal(f, `resident:${id}`)),
        h('dt', '地址'), h('dd#owner-address', f.address || '—'),
        h('dt', '入住'), h('dd', f.move_ins.length ? fmtTime(f.move_ins[0].moved_in_at, true) : (hh.moved_in_on ? fmtTime(hh.moved_in_on, true) : '—')),
        h('dt', '服务需求'), h('dd#owner-needs', needs || '未登记')),
      h('div.actions', links)),
    h('section.card', h('h2', `入住回访（${f.follow_ups.length}）`),
      table('owner-followups', ['编号', '状态', '回访期限', '回访记录'], f.follow_ups.map((x) => h('tr',
        h('td', h('a', { href: `#/followups/${x.id}` }, `#${x.id}`)),
        h('td', h('span.badge.st', label(followUpStatuses, x.status))),
        h('td', fmtTime(x.due_at, true)),
        h('td', visitText(x.visit)))), '没有回访')),
    h('section.card', h('h2', `工单（${f.tickets.length}）`),
      table('owner-tickets', ['编号', '内容', '状态', '登记'], f.tickets.map((t) => h('tr',
        h('td', h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)),
        h('td', `${label(kinds, t.kind)} · ${t.category}`, h('div.muted', t.description)),
        h('td', h('span.badge.st', label(statuses, t.status))),
        h('td', fmtTime(t.reported_at, true)))), '没有工单')),
    h('section.card', h('h2', `账单（${f.bills.length}）`),
      table('owner-bills', ['账期', '金额', '到期日', '说明'], f.bills.map((b) => h('tr',
        h('td', periodName(b.period)),
        h('td.num', fmtYuan(b.amount_fen)),
        h('td', String(b.due_on || '').slice(0, 10)),
        h('td', [b.disputed ? '有异议' : '', b.waived_fen ? `已减免 ${fmtYuan(b.waived_fen)}` : ''].filter(Boolean).join('；') || '—'))), '没有账单')),
    h('section.card', h('h2', `消息（${f.messages.length}）`),
      table('owner-messages', ['时间', '内容', '状态'], f.messages.map((m) => h('tr',
        h('td', fmtTime(m.created_at, true)),
        h('td', h('strong', m.subject), h('div.muted', m.body)),
        h('td', label(msgStatus, m.status)))), '没有消息')),
    residentLinksCard(id));
}

/** Where a reveal's ref points in the console, or null. */
function refLink(ref) {
  const [kind, n] = String(ref || '').split(':');
  const hash = { ticket: '#/tickets/', followup: '#/followups/', arrears: '#/arrears/', resident: '#/residents/' }[kind];
  const text = { ticket: '工单', followup: '回访', arrears: '欠费', resident: '业主档案' }[kind];
  if (hash && /^\d+$/.test(n || '')) return h('a', { href: hash + n }, `${text} #${n}`);
  return ref === 'lookup' ? '来电查询' : (ref || '—');
}

export async function phoneRevealsPage(view) {
  const l = await get('/phone-reveals' + qs({ estate_id: session.estateId || '', page_size: 200 }));
  fill(view,
    h('div.row.head', h('h1', '号码查看记录'), h('span.muted', `共 ${l.total} 次`)),
    h('p.muted', '客服等角色每次点击“显示号码”都会记录在此：谁、何时、查看了哪位住户的号码、从哪个页面。'),
    h('div.card', table('reveal-log', ['时间', '员工', '住户', '地址', '来源'], l.items.map((r) => h('tr', { dataset: { reveal: String(r.id) } },
      h('td', fmtTime(r.revealed_at, true)),
      h('td', r.staff_name || `#${r.staff_id}`),
      h('td', h('a', { href: `#/residents/${r.resident_id}` }, r.resident_name || `住户 #${r.resident_id}`), ' ', h('span.muted', r.resident_phone)),
      h('td', r.address || '—'),
      h('td', refLink(r.ref)))), '还没有人查看过号码')));
}
