// New residents (入住与回访): register a move-in, the follow-up visits due
// this week and overdue, and a follow-up's page to record a visit or a
// failed attempt. The API refuses what the state does not allow (409).
import { get, qs } from './api.js';
import { label, attachmentKinds } from './labels.js';
import { h, fill, field, select, countdown, fmtTime, showError, clearErrors, toast } from './ui.js';
import { session, go, desk } from './session.js';
import { listControls } from './listing.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, staffSelect, scoreSelect, submissions } from './process.js';
import { contactCard, preferredChannels } from './contacts.js';
import { photoCard } from './photos.js';

export const followUpStatuses = {
  pending: '待回访', scheduled: '已预约', tickets_open: '待工单完结', completed: '已完成', unreachable: '联系不上', cancelled: '已取消',
};
// The follow-up's events (the types its workflow records) and timers.
const followUpEvents = {
  registered: '登记入住', schedule: '预约回访', reassign: '转交', attempt: '未联系上', record: '记录回访',
  cancelled: '取消回访', reminder: '回访提醒', appointment_due: '预约时间到', escalation: '超期升级',
  ticket_closed: '工单完结', completed: '回访完成',
};
const followUpTimers = { reminder: '回访提醒', appointment: '预约时间', escalate: '超期升级' };
// A timer as the process names it, "reminder 2": its kind and number.
const timerLabel = (t) => {
  const [kind, n] = (t || '').split(' ');
  return label(followUpTimers, kind) + (n ? ` 第${n}次` : '');
};
const outcomes = { not_home: '不在家', not_reachable: '联系不上' };
export const itemKinds = { repair: '报修', complaint: '投诉', suggestion: '建议', praise: '表扬' };

/** The end of this week (next Monday 00:00, local). */
export function weekEnd() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() + ((8 - d.getDay()) % 7 || 7));
  return d.toISOString();
}

export async function followUpListPage(view, { params }) {
  const tab = params.get('tab') || 'week';
  const estateId = session.estateId || '';
  const filter = { week: { due_before: weekEnd(), status: 'pending' }, overdue: { overdue: 'true' }, done: { status: 'completed' }, all: {} }[tab] || {};
  const apiParams = (extra) => ({ estate_id: estateId, page_size: 100, ...filter, q: params.get('q') || '', sort: params.get('sort') || '', ...extra });
  const l = await get('/follow-ups' + qs(apiParams({})));
  const list = listControls({ route: '#/followups', list: 'follow_ups', path: '/follow-ups', params, apiParams });
  const { th } = list;
  const row = (f) => h('tr', { dataset: { live: '1' } },
    h('td', h('a', { href: `#/followups/${f.id}` }, `#${f.id}`)),
    h('td', f.address || `住户 #${f.household_id}`, f.escalation_level ? [' ', h('span.badge.esc', `升级 L${f.escalation_level}`)] : null),
    h('td', h('span.badge.st', label(followUpStatuses, f.status))),
    h('td.assignee', f.assignee_name || h('span.muted', '未指派')),
    h('td.due', ['pending', 'scheduled'].includes(f.status) ? countdown(f.due_at) : fmtTime(f.due_at)),
    h('td.hide-sm.muted', fmtTime(f.moved_in_at)));
  const body = h('tbody', l.items.length ? l.items.map(row) : h('tr', h('td', { colspan: 6 }, h('span.muted', '没有'))));
  const tabs = [['week', '本周到期'], ['overdue', '已逾期'], ['done', '已完成'], ['all', '全部']].map(([k, text]) =>
    h('a', { href: '#/followups' + qs({ tab: k, q: params.get('q'), sort: params.get('sort') }), className: k === tab ? 'badge st' : 'badge' }, text));
  fill(view,
    h('div.row.head', h('h1', '入住回访'), h('a', { href: '#/moveins/new' }, h('button', { type: 'button' }, '＋ 登记入住'))),
    h('div.card', list.tools, h('div.filters', tabs, h('span.muted', `共 ${l.total} 个`)),
      h('div.table-wrap', h('table.list#followup-list',
        h('thead', h('tr', th('编号', 'id'), th('住户', 'household_id'), th('状态', 'status'), th('处理人', 'assignee_id'),
          th('回访期限', 'due_at'), th('入住', 'moved_in_at', '.hide-sm'))),
        body)), list.more));
  list.onMore((items) => body.append(...items.map(row)));
  list.after(l);
}

// The actions of a follow-up, in the order the buttons show them.
const visitActions = [['record', '记录回访'], ['attempt', '未联系上'], ['schedule', '预约时间'], ['reassign', '转交'], ['cancel', '取消回访']];

export async function followUpPage(view, { match }) {
  const id = Number(match[1]);
  let d = await get(`/follow-ups/${id}`);
  const staff = await loadStaff(d.follow_up.estate_id);
  const who = namer(staff);
  const hh = await get(`/households/${d.follow_up.household_id}`).then((x) => `${x.building} ${x.unit_number}`, () => `住户 #${d.follow_up.household_id}`);
  const info = h('div.card');
  const acts = h('div.card#followup-actions');
  const events = h('div.card');
  const draw = () => {
    const p = d.process || {};
    const f = d.follow_up;
    const status = p.status || f.status;
    fill(info, h('h2', `#${f.id} 入住回访 · ${hh}`),
      h('dl.kv',
        h('dt', '状态'), h('dd', h('span.badge.st#followup-status', label(followUpStatuses, status)), f.escalation_level ? [' ', h('span.badge.esc', `升级 L${f.escalation_level}`)] : null),
        h('dt', '入住'), h('dd', fmtTime(f.moved_in_at)),
        h('dt', '回访期限'), h('dd', fmtTime(f.due_at), ' ', ['pending', 'scheduled'].includes(status) ? countdown(f.due_at) : null),
        h('dt', '负责人'), h('dd', who(f.assignee_id)),
        f.scheduled_at ? [h('dt', '预约时间'), h('dd', fmtTime(f.scheduled_at))] : null,
        h('dt', '未成功尝试'), h('dd', `${(f.attempts || []).length} 次` + (p.attempts_left !== undefined ? `（还可尝试 ${p.attempts_left} 次）` : '')),
        p.next_timer_at ? [h('dt', '下一个定时器'), h('dd', `${timerLabel(p.next_timer)} · ${fmtTime(p.next_timer_at)} `, countdown(p.next_timer_at))] : null,
        f.visit ? [h('dt', '回访记录'), h('dd', `${fmtTime(f.visit.visited_at)} · 满意度 ${f.visit.satisfaction} · ${(f.visit.items || []).map((i) => `${label(itemKinds, i.kind)}：${i.text}`).join('；') || '无事项'}`)] : null,
        (f.ticket_ids || []).length ? [h('dt', '产生的工单'), h('dd', f.ticket_ids.map((t) => h('a', { href: `#/tickets/${t}` }, `#${t} `)))] : null));
    timeline(events, { title: '时间线', events: d.events, messages: d.messages, who, types: followUpEvents, statuses: followUpStatuses });
    bar.draw();
  };
  const reload = async () => { d = await get(`/follow-ups/${id}`); draw(); };
  // Only the actions the process allows the caller now (allowed_actions).
  const bar = actionBar(acts, {
    title: '操作',
    actions: () => visitActions.filter(([a]) => (d.allowed_actions || []).includes(a)).map(([a, text]) => [a, text, a === 'record' ? '' : 'secondary']),
    none: () => '当前没有可执行的操作',
    form: (a) => actionForm(a, staff),
    request: (a, form) => ({ path: `/follow-ups/${id}/actions/${a}`, body: form.collect(), done: '已保存' }),
    reload,
  });
  // The visit record's photos (走访记录): the desk adds evidence or what the resident showed.
  const { evidence, report } = attachmentKinds;
  const photos = photoCard(`/follow-ups/${id}/attachments`, session.has(...desk) ? { evidence, report } : null);
  fill(view, h('a', { href: '#/followups' }, '← 返回回访列表'), h('div.grid2', h('div', info, contactCard(d.contact, `followup:${id}`), acts, photos), events));
  draw();
  poll(reload, 10000);
}

const iso = (v) => (v ? new Date(v).toISOString() : null);

function actionForm(action, staff) {
  const form = formFor(action);
  switch (action) {
    case 'schedule': {
      const at = h('input', { type: 'datetime-local', name: 'at' });
      form.append(field('约定时间', at));
      form.collect = () => ({ at: iso(at.value) });
      break;
    }
    case 'attempt': {
      const o = select('outcome', outcomes, 'not_home');
      const n = h('input', { name: 'note', maxLength: 500 });
      const next = h('input', { type: 'datetime-local', name: 'next_at' });
      form.append(field('情况', o), field('说明', n), field('下次尝试（可选）', next));
      form.collect = () => ({ outcome: o.value, note: n.value.trim(), next_at: iso(next.value) });
      break;
    }
    case 'reassign': {
      const s = staffSelect([...staff.values()].filter((x) => x.role !== 'technician'));
      const r = reasonInput();
      form.append(field('转给', s), field('原因', r));
      form.collect = () => ({ assignee_id: Number(s.value) || 0, reason: r.value.trim() });
      break;
    }
    case 'cancel': {
      const r = reasonInput();
      form.append(field('取消原因', r));
      form.collect = () => ({ reason: r.value.trim() });
      break;
    }
    case 'record': {
      const ch = select('visit.channel', { in_person: '上门', phone: '电话' }, 'in_person');
      const who = h('input', { name: 'visit.participants', placeholder: '参与人，逗号分隔，如：张业主, 客服小李' });
      const sat = scoreSelect('visit.satisfaction');
      const items = h('div');
      const addItem = () => {
        const kind = select('kind', itemKinds, 'suggestion');
        kind.setAttribute('aria-label', '事项类型');
        items.append(h('div.row', { dataset: { item: '1' } }, kind,
          h('input', { name: 'text', placeholder: '业主提出的事项', maxLength: 2000, 'aria-label': '业主提出的事项' })));
      };
      addItem();
      const todo = h('input', { name: 'visit.follow_up_actions', placeholder: '后续跟进，逗号分隔（可选）' });
      form.append(field('方式', ch), field('参与人', who), field('满意度', sat), h('h3', '业主提出的事项（报修、投诉会自动开工单）'), items,
        h('button.secondary', { type: 'button', onclick: addItem }, '＋ 再加一项'), field('后续跟进', todo));
      const list = (v) => v.split(/[,，]/).map((x) => x.trim()).filter(Boolean);
      form.collect = () => ({ visit: {
        channel: ch.value, participants: list(who.value), satisfaction: Number(sat.value) || 0, follow_up_actions: list(todo.value),
        items: [...items.querySelectorAll('[data-item]')].map((r) => ({ kind: r.querySelector('select').value, text: r.querySelector('input').value.trim() })).filter((i) => i.text),
      } });
      break;
    }
  }
  return form.end('提交');
}

export async function moveInPage(view) {
  if (!session.estateId) {
    fill(view, h('h1', '登记入住'), h('div.banner.info', '请先在右上角选择一个小区。'));
    return;
  }
  const estateId = session.estateId;
  const units = (await get('/units' + qs({ estate_id: estateId, page_size: 200 }))).items || [];
  const buildings = new Map(((await get('/buildings' + qs({ estate_id: estateId, page_size: 200 }))).items || []).map((b) => [b.id, b.name]));
  const unit = h('select', { name: 'unit_id' }, h('option', { value: '' }, '请选择房屋'),
    units.map((u) => h('option', { value: String(u.id) }, `${buildings.get(u.building_id) || ''} ${u.number}`)));
  // A unit that has a household changes hands: the registrar confirms that
  // the household living there moves out (its arrears stay with it).
  const occupant = h('div.occupant');
  let previous = null;
  unit.addEventListener('change', async () => {
    previous = null;
    fill(occupant);
    if (!unit.value) return;
    const chosen = unit.value;
    const hs = (await get('/households' + qs({ unit_id: chosen, status: 'active', page_size: 10 }))).items || [];
    if (unit.value !== chosen || !hs.length) return;
    const hh = hs[0];
    const rs = (await get('/residents' + qs({ household_id: hh.id, page_size: 20 }))).items || [];
    const names = rs.map((r) => `${r.name}（${r.role === 'tenant' ? '租户' : '业主'}）`).join('、') || '未登记住户';
    previous = h('input', { type: 'checkbox', name: 'previous_household_id', value: String(hh.id) });
    fill(occupant, h('div.banner.info', `该房屋现有住户：${names}。`),
      h('label.f.inline', previous, '原住户迁出（业主或租户变更）：登记后原住户办理迁出，未完成的入住回访取消，其欠费仍由原住户承担'));
  });
  const people = h('div');
  const addPerson = () => {
    const i = people.children.length;
    people.append(h('div.row', { dataset: { person: '1' } },
      field('姓名', h('input', { name: `residents[${i}].name`, maxLength: 50 })),
      field('电话', h('input', { name: `residents[${i}].phone`, type: 'tel', maxLength: 20 })),
      field('身份', select(`residents[${i}].role`, { owner: '业主', tenant: '租户' }, 'owner'))));
  };
  addPerson();
  const movedIn = h('input', { type: 'datetime-local', name: 'moved_in_at' });
  const needs = ['elderly_at_home', 'small_children', 'pets'].map((k) => [k, h('input', { type: 'checkbox', name: 'needs.' + k })]);
  const channel = select('needs.preferred_channel', preferredChannels, '');
  const times = h('input', { name: 'needs.preferred_times', maxLength: 100, placeholder: '如：工作日晚上' });
  const notes = h('input', { name: 'needs.notes', maxLength: 500 });
  const submit = h('button', { type: 'submit' }, '登记并安排回访');
  const form = h('form#movein-form.card', { novalidate: true },
    field('房屋', unit), occupant, h('h3', '入住人员'), people, h('button.secondary', { type: 'button', onclick: addPerson }, '＋ 再加一人'),
    field('入住时间（默认现在）', movedIn),
    h('h3', '服务需求'), h('div.row', needs.map(([k, c]) => h('label.f.inline', c, { elderly_at_home: '家有老人', small_children: '家有幼儿', pets: '养宠物' }[k]))),
    h('div.row', field('偏好联系方式', channel), field('方便联系的时间', times), field('备注', notes)),
    h('div.actions', submit));
  const send = submissions();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const residents = [...people.querySelectorAll('[data-person]')].map((r) => {
      const [n, p, role] = r.querySelectorAll('input, select');
      return { name: n.value.trim(), phone: p.value.trim(), role: role.value };
    });
    const body = {
      unit_id: Number(unit.value) || 0, residents, moved_in_at: iso(movedIn.value),
      previous_household_id: previous && previous.checked ? Number(previous.value) : 0,
      needs: { ...Object.fromEntries(needs.map(([k, c]) => [k, c.checked])), preferred_channel: channel.value, preferred_times: times.value.trim(), notes: notes.value.trim() },
    };
    submit.disabled = true;
    try {
      const r = await send('/move-ins', body);
      toast('已登记入住，回访已安排');
      go(`#/followups/${r.follow_up.id}`);
    } catch (err) {
      if (err.field === 'household_id') err.field = 'unit_id';
      showError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  fill(view, h('h1', '登记入住'), form);
}
