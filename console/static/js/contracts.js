// Service contracts (物业服务合同): the list by the term's end, and a
// contract's page: its versions (续签, 补充协议) with their scanned pages,
// and its timeline and actions through process.js.
import { get, qs } from './api.js';
import { label, attachmentKinds } from './labels.js';
import { h, fill, field, countdown, fmtTime } from './ui.js';
import { session } from './session.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput } from './process.js';
import { photoCard } from './photos.js';

export const contractStatuses = { active: '有效', expiring: '即将到期', expired: '已到期', renewing: '续签中', handed_over: '已移交' };
const partyKinds = { owners_assembly: '业主大会', developer: '建设单位' };
const levels = { level1: '一级', level2: '二级', level3: '三级' };
const contractEvents = {
  registered: '登记合同', reminder: '到期提醒', expiring: '即将到期', expired: '已到期', escalation: '到期未决升级',
  negotiate: '开始续签洽谈', renewed: '续签', handed_over: '已移交',
};
const day = (t) => (t ? String(t).slice(0, 10) : '-');

export async function contractListPage(view) {
  const l = await get('/contracts' + qs({ estate_id: session.estateId || '', page_size: 100 }));
  const row = (c) => h('tr',
    h('td', h('a', { href: `#/contracts/${c.id}` }, c.number)),
    h('td', `${label(partyKinds, c.party_a_kind)}：${c.party_a}`),
    h('td', h('span.badge.st', label(contractStatuses, c.status))),
    h('td', `${day(c.term_start)} 至 ${day(c.term_end)}`),
    h('td.hide-sm', label(levels, c.service_level)));
  fill(view, h('div.row.head', h('h1', '服务合同')),
    h('div.card', h('div.table-wrap', h('table.list#contract-list',
      h('thead', h('tr', h('th', '合同编号'), h('th', '甲方'), h('th', '状态'), h('th', '合同期限'), h('th.hide-sm', '服务等级'))),
      h('tbody', l.items.length ? l.items.map(row) : h('tr', h('td', { colspan: 5 }, h('span.muted', '没有')))))),
    h('span.muted', `共 ${l.total} 份`)));
}

const contractActions = [['renew', '续签'], ['negotiate', '开始续签洽谈'], ['hand_over', '移交']];

export async function contractPage(view, { match }) {
  const id = Number(match[1]);
  let d = await get(`/contracts/${id}`);
  const who = namer(await loadStaff(d.contract.estate_id));
  const info = h('div.card');
  const versions = h('div.card#contract-versions');
  const acts = h('div.card#contract-actions');
  const events = h('div.card');
  const draw = () => {
    const c = d.contract;
    const p = d.process || {};
    fill(info, h('h2', `合同 ${c.number}`),
      h('dl.kv',
        h('dt', '状态'), h('dd', h('span.badge.st#contract-status', label(contractStatuses, p.status || c.status)),
          c.escalation_level ? [' ', h('span.badge.esc', `升级 L${c.escalation_level}`)] : null),
        h('dt', '甲方'), h('dd', `${label(partyKinds, c.party_a_kind)}：${c.party_a}`),
        h('dt', '乙方'), h('dd', c.party_b),
        h('dt', '合同期限'), h('dd', `${day(c.term_start)} 至 ${day(c.term_end)}`),
        h('dt', '服务等级'), h('dd', label(levels, c.service_level)),
        h('dt', '收费标准'), h('dd', c.fee_standard_id ? `#${c.fee_standard_id}` : '未指定'),
        h('dt', '已发提醒'), h('dd', `${c.reminders_sent} 次`),
        p.next_timer_at ? [h('dt', '下一次'), h('dd', `${label(contractEvents, p.next_timer)} · ${fmtTime(p.next_timer_at)} `, countdown(p.next_timer_at))] : null,
        c.notes ? [h('dt', '备注'), h('dd', c.notes)] : null,
        c.hand_over_note ? [h('dt', '移交说明'), h('dd', c.hand_over_note)] : null));
    fill(versions, h('h2', '版本（签订、续签、补充协议）'), h('ul', d.versions.map((v) => h('li', { dataset: { version: v.version } },
      h('b', `第 ${v.version} 版`), ` · ${day(v.effective_on)} 起 · ${v.changes} · 期限 ${day(v.term_start)} 至 ${day(v.term_end)}`))));
    timeline(events, { title: '时间线', id: 'contract-timeline', events: d.events, messages: d.messages, who, types: contractEvents, statuses: contractStatuses });
    bar.draw();
  };
  const reload = async () => { d = await get(`/contracts/${id}`); draw(); };
  const bar = actionBar(acts, {
    title: '操作',
    actions: () => contractActions.filter(([a]) => (d.allowed_actions || []).includes(a)),
    none: () => '当前没有可执行的操作',
    form: (a) => actionForm(a),
    request: (a, form) => ({ path: `/contracts/${id}/actions/${a}`, body: form.collect(), done: '已保存' }),
    reload,
  });
  const last = d.versions[d.versions.length - 1];
  const photos = last ? photoCard(`/contract-versions/${last.id}/attachments`, session.has('estate_manager', 'company_admin') ? { evidence: attachmentKinds.evidence } : null) : null;
  fill(view, h('a', { href: '#/contracts' }, '← 返回合同列表'), h('div.grid2', h('div', info, acts, versions, photos), events));
  draw();
  poll(reload, 10000);
}

function actionForm(action) {
  const form = formFor(action);
  if (action === 'renew') {
    const end = h('input', { type: 'date', name: 'term_end' });
    const changes = h('input', { name: 'changes', maxLength: 2000, placeholder: '续签内容，如：续签三年，收费标准不变' });
    form.append(field('新期限截止', end), field('变更内容', changes));
    form.collect = () => ({ term_end: end.value || null, changes: changes.value.trim() });
    return form.end('续签');
  }
  const note = reasonInput(action === 'hand_over' ? '移交给谁、如何交接' : '洽谈情况（可选）', 'note');
  form.append(field('说明', note));
  form.collect = () => ({ note: note.value.trim() });
  return form.end(action === 'hand_over' ? '确认移交' : '保存');
}
