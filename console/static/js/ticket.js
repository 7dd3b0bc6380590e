// The ticket page: what was reported, whom to call (联系人), the live
// process (deadlines, next timer, hold), the actions this person may take
// now, and the timeline of every event, escalation and message.
import { get } from './api.js';
import { urgencies, kinds, statuses, milestones, actions, holdReasons, events, roles, timers, attachmentKinds, label } from './labels.js';
import { h, fill, field, select, countdown, fmtTime, fmtDuration, yuanToFen } from './ui.js';
import { session, processViewers } from './session.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, staffSelect, scoreSelect } from './process.js';
import { contactCard } from './contacts.js';
import { photoCard } from './photos.js';

// Actions taken with one press; the others open a small form first.
const direct = ['claim', 'accept', 'contact', 'arrive', 'resume', 'acknowledge'];

export async function ticketPage(view, { match }) {
  const id = Number(match[1]);
  let detail = await get(`/tickets/${id}`);
  const staff = await loadStaff(detail.ticket.estate_id);
  const who = namer(staff);
  const address = detail.ticket.household_id
    ? await get(`/households/${detail.ticket.household_id}`).then((x) => `${x.building} ${x.unit_number}`, () => '')
    : '';
  const head = h('div');
  const proc = h('div.card#process');
  const acts = h('div.card#actions');
  const timelineCard = h('div.card#timeline');

  const draw = () => {
    drawHead(head, detail, who, address);
    drawProcess(proc, detail);
    drawTimeline(timelineCard, detail, who);
    bar.draw();
  };
  const reload = async () => { detail = await get(`/tickets/${id}`); draw(); };

  const bar = actionBar(acts, {
    title: '可执行的操作', msgId: 'action-msg', formId: 'action-form',
    actions: () => (detail.allowed_actions || []).map((a) => [a, label(actions, a), a === 'cancel' ? 'danger' : (direct.includes(a) ? '' : 'secondary')]),
    none: () => (detail.process ? '当前状态下您没有可执行的操作'
      : (detail.process_health ? '流程出错期间不能操作' : (detail.process_error ? '流程状态暂不可读，稍后刷新' : '工单已结束'))),
    form: (a) => (direct.includes(a) ? null : actionForm(a, detail, staff)),
    request: (a, form, btn) => ({ path: `/tickets/${id}/actions/${a}`, body: form ? form.collect(btn) : {}, done: `${label(actions, a)}：已完成` }),
    reload,
  });

  // The contact is drawn once: a number revealed stays while the rest
  // refreshes.
  // Photos load once, and again after an upload, not with every poll.
  const photos = photoCard(`/tickets/${id}/attachments`, photoKinds(detail.ticket));
  fill(view, head, h('div.grid2', h('div', contactCard(detail.contact, `ticket:${id}`), acts, photos, proc), timelineCard));
  draw();
  poll(reload, 5000);
}

/** The photos staff add to a ticket: the report, and a repair's before and after. */
function photoKinds(t) {
  const { report, before, after } = attachmentKinds;
  return t.kind === 'repair' ? { before, after, report } : { report };
}

function drawHead(el, d, who, address) {
  const t = d.ticket;
  const level = d.process ? d.process.escalation_level : t.escalation_level;
  const status = d.process ? d.process.status : t.status;
  fill(el,
    h('div.row.head', h('h1', `#${t.id} ${label(kinds, t.kind)} · ${t.category}`),
      h('span.badge.u-' + t.urgency, label(urgencies, t.urgency)),
      h('span.badge.st#status-badge', label(statuses, status)),
      level > 0 ? h('span.badge.esc#esc-badge', `已升级 L${level}`) : null,
      h('a', { href: '#/tickets' }, '← 返回列表')),
    h('div.card', h('dl.kv',
      h('dt', '位置'), h('dd', [address, t.location].filter(Boolean).join(' · ') || '—'),
      h('dt', '描述'), h('dd', t.description),
      h('dt', '登记'), h('dd', `${fmtTime(t.reported_at)} · ${who(t.first_receiver_id)}`),
      h('dt', '处理人'), h('dd', (d.process && d.process.assignee_id) || t.assignee_id ? who((d.process && d.process.assignee_id) || t.assignee_id) : '未派单'),
      t.appointment ? [h('dt', '预约'), h('dd', fmtTime(t.appointment))] : null,
      t.charge_fen ? [h('dt', '收费'), h('dd', `¥${(t.charge_fen / 100).toFixed(2)}`)] : null)));
}

function drawProcess(el, d) {
  const p = d.process;
  const ui = session.has(...processViewers) && session.system && session.system.temporal_ui_url;
  const link = ui ? h('a#temporal-link', {
    href: `${ui}/namespaces/${encodeURIComponent(session.system.namespace)}/workflows/${encodeURIComponent(d.workflow_id)}`,
    target: '_blank', rel: 'noopener',
  }, '在 Temporal 中查看流程 ↗') : null;
  if (!p) {
    // A process stuck on a failing task says so (process_health); the page
    // then shows the last recorded state.
    const why = d.process_health
      ? h('div.banner.error#process-failing', { role: 'alert' }, d.process_health.message)
      : h('p.muted', d.process_error ? '流程状态暂不可读，稍后自动刷新' : '流程已结束');
    fill(el, h('h2', '流程状态'), why, link);
    return;
  }
  const rows = p.deadlines.map((dl) => h('tr',
    h('td', label(milestones, dl.milestone) + (dl.round ? `（返工${dl.round}）` : '')),
    h('td', fmtTime(dl.due)),
    h('td', dl.done
      ? h('span', { className: new Date(dl.done_at) <= new Date(dl.due) ? 'muted' : 'err' },
        `${fmtTime(dl.done_at)} ${new Date(dl.done_at) <= new Date(dl.due) ? '按时' : '超时'}`)
      : (p.on_hold_since ? `暂停（剩余 ${fmtDuration(dl.left_seconds)}）` : countdown(dl.due))),
    h('td', dl.escalation_level ? h('span.badge.esc', `L${dl.escalation_level}`) : '')));
  const [kind, ...rest] = (p.next_timer || '').split(' ');
  fill(el, h('h2', '流程状态'),
    h('dl.kv',
      h('dt', '状态'), h('dd', label(statuses, p.status)),
      h('dt', '下一个定时器'), h('dd', p.next_timer_at
        ? [`${label(timers, kind)} ${rest.map((r) => label(milestones, r)).join(' ')} · ${fmtTime(p.next_timer_at)} `, countdown(p.next_timer_at)]
        : '无'),
      h('dt', '挂起'), h('dd', p.on_hold_since ? `挂起中（${label(holdReasons, p.hold_reason)}），自 ${fmtTime(p.on_hold_since)}` : '否'),
      h('dt', '累计挂起'), h('dd', fmtDuration(p.held_seconds)),
      p.reopen_count ? [h('dt', '返工次数'), h('dd', String(p.reopen_count))] : null,
      p.hurries ? [h('dt', '业主催单'), h('dd#hurries', `${p.hurries} 次，最近 ${fmtTime(p.hurried_at)}`)] : null,
      p.confirm_by ? [h('dt', '确认期限'), h('dd', [fmtTime(p.confirm_by), ' ', countdown(p.confirm_by)])] : null,
      p.return_visit_by ? [h('dt', '回访期限'), h('dd', [fmtTime(p.return_visit_by), ' ', countdown(p.return_visit_by)])] : null),
    h('h3', '时限'),
    h('div.table-wrap', h('table', h('thead', h('tr', h('th', '环节'), h('th', '期限'), h('th', '剩余/完成'), h('th', '升级'))), h('tbody', rows))),
    h('p', link));
}

function drawTimeline(el, d, who) {
  timeline(el, {
    title: `时间线（${d.timeline.length} 个事件，${d.messages.length} 条消息，${d.escalations.length} 次升级）`,
    events: d.timeline, messages: d.messages, who, types: events, statuses, bodies: true,
    event: (e) => ({ cls: e.type === 'escalation' ? 'esc' : (e.type === 'warning' || e.type === 'breach' ? 'warn' : ''), notes: notes(e, who) }),
  });
}

/** What an event's details say, in words. */
function notes(e, who) {
  const det = e.detail || {};
  const parts = [];
  if (e.type === 'escalation') parts.push(`第 ${det.level} 级 → ${label(roles, det.role)}（${label(milestones, (det.milestone || '').split('-r')[0])}超时）`);
  if (e.type === 'breach') parts.push(`${label(milestones, (det.milestone || '').split('-r')[0])}超时，已在第 ${det.level} 级（${label(roles, det.role)}），不重复通知`);
  if (e.type === 'warning') parts.push(`${label(milestones, (det.milestone || '').split('-r')[0])} 即将到期`);
  if (det.assignee_id) parts.push(`处理人：${who(Number(det.assignee_id))}`);
  if (det.hold_reason) parts.push(label(holdReasons, det.hold_reason));
  for (const k of ['reason', 'note', 'answer', 'summary', 'materials', 'comments']) if (det[k]) parts.push(det[k]);
  if (det.charge_fen && det.charge_fen !== '0') parts.push(`收费 ¥${(Number(det.charge_fen) / 100).toFixed(2)}`);
  if (det.score) parts.push(`评分 ${det.score}`);
  if (det.contact === 'none') parts.push('无联系人：不向报事人发送消息，完工后到期自动确认');
  if (det.visit_of === 'complaint') parts.push('投诉回访');
  if (det.accepted) parts.push(det.accepted === 'true' ? '业主满意' : '业主不满意，退回返工');
  return parts;
}

/** The small form of an action that takes input; form.collect() reads it. */
function actionForm(action, d, staff) {
  const form = formFor(action);
  // A repair goes to a technician (维修工) only; a complaint to anyone
  // active, technicians first; the least busy first within each.
  const repair = d.ticket.kind === 'repair';
  const order = (x) => (x.role === 'technician' ? 0 : 1);
  const assigneeSel = (exclude) => staffSelect([...staff.values()]
    .filter((x) => x.active && x.id !== exclude && (!repair || x.role === 'technician'))
    .sort((a, b) => order(a) - order(b) || (a.open_work || 0) - (b.open_work || 0) || a.id - b.id));
  let collect = () => ({});
  switch (action) {
    case 'dispatch': {
      const s = assigneeSel();
      form.append(field('派给', s));
      collect = () => ({ assignee_id: Number(s.value) || 0 });
      break;
    }
    case 'transfer': {
      const s = assigneeSel(d.process && d.process.assignee_id);
      const r = reasonInput();
      form.append(field('转给', s), field('原因', r));
      collect = () => ({ assignee_id: Number(s.value) || 0, reason: r.value.trim() });
      break;
    }
    case 'hold': {
      const s = select('hold_reason', holdReasons, '', '请选择');
      form.append(field('挂起原因（暂停计时）', s));
      collect = () => ({ hold_reason: s.value });
      break;
    }
    case 'complete': {
      const sum = h('textarea', { name: 'summary', maxLength: 2000, placeholder: '做了什么' });
      const mat = h('input', { name: 'materials', maxLength: 1000, placeholder: '如：阀门1个' });
      const fee = h('input', { name: 'charge_fen', type: 'number', min: '0', step: '0.01', placeholder: '0.00' });
      form.append(field(d.ticket.kind === 'complaint' ? '处理结果' : '完工说明', sum), field('用料', mat), field('收费（元）', fee));
      collect = () => ({ summary: sum.value.trim(), materials: mat.value.trim(), charge_fen: fee.value.trim() ? (yuanToFen(fee.value) ?? -1) : 0 });
      break;
    }
    case 'cancel': {
      const r = reasonInput();
      form.append(field('取消原因', r));
      collect = () => ({ reason: r.value.trim() });
      break;
    }
    case 'note':
    case 'answer': {
      // The answer goes to the resident in a message: 500 characters at most.
      const n = h('textarea', { name: 'note', maxLength: action === 'note' ? 2000 : 500 });
      form.append(field(action === 'note' ? '备注' : '答复内容', n));
      collect = () => ({ note: n.value.trim() });
      break;
    }
    case 'confirm': {
      const c = h('input', { name: 'comments', maxLength: 2000, placeholder: '业主意见（可选）' });
      form.append(field('业主意见', c));
      form.end(h('button', { type: 'submit', value: 'yes', dataset: { verdict: 'yes' } }, '业主确认满意'),
        h('button.danger', { type: 'submit', value: 'no', dataset: { verdict: 'no' } }, '业主不满意，退回返工'));
      form.collect = (btn) => ({ accepted: !!btn && btn.value === 'yes', comments: c.value.trim() });
      return form;
    }
    case 'return_visit': {
      const s = scoreSelect('score');
      const c = h('textarea', { name: 'comments', maxLength: 2000, placeholder: '业主评价' });
      form.append(field('满意度', s), field('评价', c));
      collect = () => ({ score: Number(s.value) || 0, comments: c.value.trim() });
      break;
    }
  }
  form.end(label(actions, action));
  form.collect = collect;
  return form;
}
