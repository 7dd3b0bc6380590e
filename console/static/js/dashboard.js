// The managers' view: open tickets by state and urgency, SLA met per tier
// (this week and the last 12, drawn by the server as SVG), breaches and
// escalations today. Every number links to the list behind it.
import { contractStatuses } from './contracts.js';
import { get, qs } from './api.js';
import { utilities } from './outages.js';
import { urgencies, statuses, openStatuses, kinds, stages, openStages, label, roles } from './labels.js';
import { serviceAreas } from './surveys.js';
import { h, fill, fmtTime, fmtYuan } from './ui.js';
import { session, onLeave, revealReaders, policyEditors } from './session.js';
import { weekEnd } from './followups.js';
import { periodName } from './arrears.js';

const tiers = ['critical', 'urgent', 'normal'];

function listLink(params, text) {
  return h('a', { href: '#/tickets' + qs({ estate_id: session.estateId || '', ...params }) }, String(text));
}

export async function dashboardPage(view) {
  const estateQ = qs({ estate_id: session.estateId || '' });
  const d = await get('/dashboard' + estateQ);
  const fu = async (f) => (await get('/follow-ups' + qs({ estate_id: session.estateId || '', page_size: 1, ...f }))).total;
  const [fuWeek, fuOverdue, fuOpen] = await Promise.all([fu({ status: 'pending', due_before: weekEnd() }), fu({ overdue: 'true' }), fu({ status: 'tickets_open' })]).catch(() => ['—', '—', '—']);
  const scopeName = session.estateId ? (session.estate(session.estateId) || {}).name : '全公司';
  const count = (st, u) => (d.open.find((o) => o.status === st && o.urgency === u) || { count: 0 }).count;
  const statusRows = openStatuses.filter((st) => tiers.some((u) => count(st, u) > 0));
  const thisWeek = d.sla.slice(-3);
  const pct = (r) => (r && r.due ? `${Math.round(r.met * 100 / r.due)}%` : '—');
  const stat = (cls, n, text, href, sub) => h('a.stat' + cls, { href, dataset: { stat: text } }, h('div.n', String(n)), h('div.muted', text), sub ? h('div.sub', sub) : null);
  const today = (kind) => '#/dashboard/today' + qs({ kind, estate_id: session.estateId || '' });
  fill(view,
    h('div.row', h('h1', `管理看板 · ${scopeName}`), h('span.muted', `截至 ${fmtTime(d.as_of)}`),
      session.has(...revealReaders) ? h('a#phone-reveals-link', { href: '#/phone-reveals' }, '号码查看记录') : null,
      // The header has no room left at 1366 px: 满意度调查 is reached from here.
      h('a#surveys-link', { href: '#/surveys' }, '满意度调查')),
    // Estates whose service calendar lacks a coming year's public holidays.
    (d.calendar_gaps || []).map((g) => h('div.banner.warn.calendar-gap', { dataset: { estate: g.estate_id } },
      `${g.estate_name}的服务日历尚未录入 ${g.year} 年法定节假日与调休，“当日完成”等时限会把节假日当作工作日计算。`,
      h('a', { href: '#/policy' }, '去服务策略补充'))),
    h('section#tickets-section', { dataset: { process: 'tickets' } },
      h('h2', '报修与投诉'),
      h('div.stats',
        stat('', d.open_total, '未结工单', '#/tickets' + estateQ),
        stat('.red', d.breached, '当前已超时', '#/tickets' + qs({ estate_id: session.estateId || '', breached: 'true' })),
        stat('.amber', d.at_risk, '临期预警', '#/tickets' + qs({ estate_id: session.estateId || '', at_risk: 'true' })),
        stat('.red', d.breaches_today, '今日超时环节', today('breached')),
        stat('', d.escalations_today, '今日升级', today('escalated'))),
      h('div.grid2',
        h('div.card',
          h('h3', '未结工单（状态 × 紧急程度）'),
          h('div.table-wrap', h('table#open-matrix',
            h('thead', h('tr', h('th', '状态'), tiers.map((u) => h('th.num', label(urgencies, u))), h('th.num', '合计'))),
            h('tbody', statusRows.length ? statusRows.map((st) => h('tr',
              h('td', label(statuses, st)),
              tiers.map((u) => h('td.num', count(st, u) ? listLink({ status: st, urgency: u }, count(st, u)) : '0')),
              h('td.num', listLink({ status: st }, tiers.reduce((n, u) => n + count(st, u), 0))))) : h('tr', h('td', { colspan: 5 }, h('span.muted', '没有未结工单'))))))),
        h('div.card',
          h('h3', '本周 SLA 达成率（按时完成的环节 / 到期环节）'),
          h('table#sla-week', h('thead', h('tr', h('th', '紧急程度'), h('th.num', '达成率'), h('th.num', '按时/到期'))),
            h('tbody', tiers.map((u, i) => h('tr',
            h('td', label(urgencies, u)),
            h('td.num', listLink({ urgency: u }, pct(thisWeek[i]))),
            h('td.num.muted', thisWeek[i] ? `${thisWeek[i].met}/${thisWeek[i].due}` : '')))))),
      ),
      h('div.card',
        h('img.chart#sla-chart', { src: '/api/v1/dashboard/charts/sla.svg' + estateQ + (estateQ ? '&' : '?') + 't=' + Date.now(), alt: 'SLA 达成率趋势图', width: 640, height: 280 }))),
    // ── Arrears collection (欠费催缴): open cases by stage with what they
    //    owe, and the collection rate of last and this month's bills.
    arrearsSection(d.arrears),
    // ── Move-in follow-ups (入住回访): due this week, overdue, waiting on
    //    the tickets a visit opened, and visits made on time.
    h('section#followups-section', { dataset: { process: 'followups' } },
      h('h2', '入住回访'),
      h('div.stats',
        stat('', fuWeek, '本周到期待回访', '#/followups?tab=week'),
        stat('.red', fuOverdue, '已逾期', '#/followups?tab=overdue'),
        stat('', fuOpen, '等待工单完结', '#/followups?tab=all'),
        d.follow_ups.on_time.map((m, i) => stat('', share(m.on_time, m.completed), `${i ? '本月' : '上月'}按时回访率`, '#/followups?tab=done',
          m.completed ? `${m.on_time}/${m.completed} 次按时` : '没有完成的回访')))),
    // ── Service contracts (物业服务合同): how many in each status.
    h('section#contracts-section', { dataset: { process: 'contracts' } },
      h('h2', '服务合同'),
      h('div.stats', (d.contracts || []).length
        ? d.contracts.map((c) => stat(c.status === 'expired' ? '.red' : '', c.count, contractStatuses[c.status] || c.status, '#/contracts'))
        : h('p.muted', '尚未登记合同'))),
    // ── Inspections and maintenance (设备巡检/维保), one estate's: missed
    //    occurrences, findings not rectified, statutory inspections due.
    d.inspections ? h('section#inspections-section', { dataset: { process: 'inspections' } },
      h('h2', '设备巡检'),
      h('div.stats',
        stat(d.inspections.overdue ? '.red' : '', d.inspections.overdue, '逾期未巡检', '#/inspections'),
        stat(d.inspections.open_findings ? '.amber' : '', d.inspections.open_findings, '隐患待整改', '#/inspections'),
        stat(d.inspections.statutory_due_soon ? '.amber' : '', d.inspections.statutory_due_soon, '法定检验临近', '#/inspections'))) : null);
  // ── Outages on now and notices published (停水停电与公告).
  get('/notice-board' + estateQ).then((b) => view.append(h('section#notices-section', { dataset: { process: 'outages' } },
    h('h2', '停水停电与公告'),
    h('div.stats',
      stat(b.outages_on.length ? '.amber' : '', b.outages_on.length, '正在停运', '#/outages',
        b.outages_on.map((o) => `${(o.buildings || []).join('、')} ${label(utilities, o.utility)}`).join('；')),
      stat('', b.notices_published, '已发布公告', '#/notices')))), () => {});
  // ── Staff performance (员工绩效) of this month, and the surveys behind
  //    its survey scores (满意度调查). Managers only: the route is theirs.
  if (session.has(...policyEditors)) performanceSection(view);
  const timer = setInterval(async () => {
    if (!document.getElementById('tickets-section')) return;
    const img = document.getElementById('sla-chart');
    if (img) img.src = img.src.replace(/t=\d+/, 't=' + Date.now());
  }, 60000);
  onLeave(() => clearInterval(timer));
}

/** "87.5%" of n / of, in integers; "—" when there is nothing to divide. */
function share(n, of) {
  if (!of) return '—';
  const tenths = Math.floor(n * 1000 / of);
  return `${Math.floor(tenths / 10)}${tenths % 10 ? '.' + (tenths % 10) : ''}%`;
}

function arrearsSection(a) {
  const estate = { estate_id: session.estateId || '' };
  const board = (params) => '#/arrears' + qs(params);
  const stat = (cls, n, text, href, sub) => h('a.stat' + cls, { href, dataset: { stat: text } }, h('div.n', String(n)), h('div.muted', text), sub ? h('div.sub', sub) : null);
  const byStage = (st) => a.stages.find((x) => x.stage === st) || { cases: 0, owed_fen: 0 };
  return h('section#arrears-section', { dataset: { process: 'arrears' } },
    h('h2', '欠费催缴'),
    h('div.stats',
      stat('', a.cases, '在催住户', board({})),
      stat('.red', fmtYuan(a.owed_fen), '欠费总额', board({})),
      stat(byStage('legal_pending').cases ? '.amber' : '', byStage('legal_pending').cases, '待法务审批', '#/arrears/legal'),
      // The rate counts only bills already due; a period not yet due says so.
      a.collection.map((m, i) => stat('', m.due_bills ? share(m.due_paid_fen, m.due_fen) : (m.bills ? '未到期' : '—'),
        `${i ? '本月' : '上月'}收缴率`, '#/bills' + qs({ period: m.period, ...estate }),
        !m.bills ? `${periodName(m.period)} 未出账`
          : (m.due_bills ? `${periodName(m.period)} 已到期 ${fmtYuan(m.due_paid_fen)} / ${fmtYuan(m.due_fen)}`
            : `${periodName(m.period)} 账单尚未到期，已预缴 ${fmtYuan(m.paid_fen)} / ${fmtYuan(m.billed_fen)}`)))),
    h('div.card',
      h('h3', '在催住户（按阶段）'),
      h('div.table-wrap', h('table#arrears-stages',
        h('thead', h('tr', h('th', '阶段'), h('th.num', '住户数'), h('th.num', '欠费金额'))),
        h('tbody', openStages.map((st) => h('tr', { dataset: { stage: st } },
          h('td', label(stages, st)),
          h('td.num', h('a', { href: board({ stage: st }) }, String(byStage(st).cases))),
          h('td.num', h('a', { href: board({ stage: st }) }, fmtYuan(byStage(st).owed_fen)))))),
        h('tfoot', h('tr', h('th', '合计'), h('th.num', h('a', { href: board({}) }, String(a.cases))), h('th.num', fmtYuan(a.owed_fen))))))));
}

export async function dashboardListPage(view, { params }) {
  const kind = params.get('kind') === 'escalated' ? 'escalated' : 'breached';
  const d = await get('/dashboard' + qs({ estate_id: params.get('estate_id') || '' }));
  const list = kind === 'escalated' ? d.escalated_today_tickets : d.breached_today_tickets;
  fill(view,
    h('div.row', h('h1', kind === 'escalated' ? '今日升级的工单' : '今日有环节超时的工单'), h('a', { href: '#/dashboard' }, '← 返回看板')),
    h('div.card', h('table.list', h('thead', h('tr', h('th', '编号'), h('th', '紧急'), h('th', '内容'), h('th', '状态'), h('th', '升级'))),
      h('tbody', list.length ? list.map((t) => h('tr',
        h('td', h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)),
        h('td', h('span.badge.u-' + t.urgency, label(urgencies, t.urgency))),
        h('td', h('a', { href: `#/tickets/${t.id}` }, `${label(kinds, t.kind)} · ${t.category}`), h('div.muted', t.location || '')),
        h('td', label(statuses, t.status)),
        h('td', t.escalation_level ? h('span.badge.esc', `L${t.escalation_level}`) : ''))) : h('tr', h('td', { colspan: 5 }, h('span.muted', '今天没有')))))));
}

/**
 * Appends the section "员工绩效（本月）": one row per staff member. The
 * tickets list has no filter by ID, so a figure shows its count and names
 * the tickets (or survey responses) behind it in its title.
 */
function performanceSection(view) {
  const sec = h('section#performance-section', { dataset: { process: 'surveys' } },
    h('h2', '员工绩效（本月）'));
  view.append(sec);
  if (!session.estateId) { sec.append(h('p.muted', '请先在右上角选择一个小区查看员工绩效。')); return; }
  const tickets = (ids) => (ids || []).map((id) => `#${id}`).join('、');
  const figure = (f, unit, what) => {
    const text = f.value === null || f.value === undefined ? '—' : `${f.value}${unit}`;
    const title = f.ids && f.ids.length ? `${what}：${tickets(f.ids)}` : '';
    return h('td.num', { title }, text, f.of ? h('span.muted', ` (${(f.ids || []).length}/${f.of})`) : null);
  };
  get('/staff-performance' + qs({ estate_id: session.estateId })).then((p) => {
    const rows = p.staff.filter((s) => s.tickets || s.survey.of || s.return_visit.of);
    sec.append(h('div.card', h('p.muted', `${p.month} · 数字后括号内为计入的工单（或答卷）数，鼠标悬停可查看编号`),
      rows.length ? h('div.table-wrap', h('table.list#performance',
        h('thead', h('tr', h('th', '员工'), h('th.num', '结单'), h('th.num', 'SLA 达成率'), h('th.num', '回访评分'),
          h('th.num', '满意度得分'), h('th.num', '返工率'))),
        h('tbody', rows.map((s) => h('tr', { dataset: { staff: String(s.staff.id) } },
          h('td', `${s.staff.name}（${label(roles, s.staff.role)}）`),
          h('td.num', { title: s.sla_missed && s.sla_missed.length ? `超时工单：${tickets(s.sla_missed)}` : '' }, String(s.tickets)),
          figure(s.sla_met, '%', '按时完成的工单'),
          figure(s.return_visit, ' 分', '计入的回访工单'),
          figure(s.survey, ' 分', `计入的${s.area ? label(serviceAreas, s.area) : ''}答卷`),
          figure(s.reopen, '%', '返工的工单'))))))
        : h('p.muted', '本月还没有结单或评分')));
  }, () => sec.append(h('p.muted', '员工绩效暂时无法加载')));
}
