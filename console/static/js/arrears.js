// Arrears collection (欠费催缴): the collection board by stage, a
// household's case page (what it owes bill by bill, the live process, the
// contact history, tasks, disputes, plans and demand letters, with the forms
// the caller's role may use), the managers' legal-referral queue, and the
// bills of a billing period behind the collection rate. The server refuses
// whatever a role or the case's state does not allow (403, 409).
import { get, qs } from './api.js';
import {
  stages, openStages, segments, dunningActions, pauseReasons, taskOutcomes, taskStatuses, disputeStatuses,
  planStatuses, payChannels, contactChannels, caseEvents, stepOutcomes, roles, nextStep, label, deliveryMethods,
} from './labels.js';
import {
  h, fill, field, select, countdown, fmtTime, fmtDuration, showError, clearErrors, toast, yuanToFen, fmtYuan, fenToYuan, confirmDialog, localISO, civil,
} from './ui.js';
import { session, go, caseManagers, managersView } from './session.js';
import { listControls, exportControl, pagedBy, cursorPager } from './listing.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, submissions } from './process.js';
import { contactCard } from './contacts.js';

// The desk, who may record any open task's outcome beside its assignee
// (the process decides; this only picks the tasks to offer it for).
const deskRoles = ['customer_service', 'supervisor', 'estate_manager', 'company_admin'];

/** "2025年1月" for a billing period "2025-01". */
export const periodName = (p) => (p ? `${Number(p.slice(0, 4))}年${Number(p.slice(5, 7))}月` : '');
/** Whole days from a civil date to today (local). */
const daysSince = (iso) => {
  if (!iso) return 0;
  const [y, m, d] = civil(iso).split('-').map(Number);
  const now = new Date();
  return Math.round((Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) - Date.UTC(y, m - 1, d)) / 86400000);
};
const stageBadge = (st, extra) => h('span.badge.stage.sg-' + (st || 'none'), { dataset: { stage: st || '' }, ...extra }, label(stages, st) || '无催缴案件');

// ── The collection board (催缴看板) ─────────────────────────────────────

export async function boardPage(view, { params }) {
  const stage = openStages.includes(params.get('stage')) ? params.get('stage') : '';
  const estateId = session.estateId || '';
  const body = h('tbody');
  const cards = h('div.stats#stage-stats');
  const total = h('span.muted');
  const pager = h('div.row');
  const showEstate = !estateId;
  const apiParams = (extra) => ({ estate_id: estateId, stage, page_size: 50, q: params.get('q') || '', sort: params.get('sort') || '', ...extra });
  const list = listControls({ route: '#/arrears', list: 'arrears', path: '/arrears', params, apiParams });
  const { th } = list;
  list.onMore((items) => body.append(...items.map((c) => boardRow(c, showEstate))));
  fill(view,
    h('div.row.head', h('h1', '催缴看板'), total,
      session.has(...caseManagers) ? h('a', { href: '#/arrears/legal' }, '法务审批队列 →') : null),
    cards,
    h('div.card', list.tools, h('div.table-wrap', h('table.list#arrears-board',
      h('thead', h('tr', th('住户', 'household_id'), th('阶段', 'stage'), th('欠费金额', 'owed_fen', '.num'), th('最早欠费', 'oldest_due_on'),
        h('th', '处理人'), th('下一步', 'next_step_at'), h('th.hide-sm', '更新'))),
      body)), list.more, pager));
  const load = async () => {
    if (list.extended()) return; // rows added by 加载更多 stay until the page is left
    const [l, all] = await Promise.all([
      get('/arrears' + qs(apiParams(pagedBy(params)))),
      stage ? get('/arrears' + qs({ estate_id: estateId, page_size: 1 })) : null,
    ]);
    const totals = (all || l).totals;
    const sum = (k) => totals.reduce((n, t) => n + t[k], 0);
    const card = (st, n, owed, text) => h('a.stat' + (st === stage ? '.on' : '') + (st === 'legal_pending' && n ? '.amber' : ''), {
      href: '#/arrears' + qs({ stage: st }), dataset: { stage: st || 'all' },
    }, h('div.n', String(n)), h('div', text), h('div.sub', fmtYuan(owed)));
    fill(cards, card('', sum('cases'), sum('owed_fen'), '全部在催'),
      openStages.map((st) => {
        const t = totals.find((x) => x.stage === st) || { cases: 0, owed_fen: 0 };
        return card(st, t.cases, t.owed_fen, label(stages, st));
      }));
    total.textContent = `共 ${l.total} 户`;
    list.after(l);
    fill(body, l.items.length ? l.items.map((c) => boardRow(c, showEstate)) : h('tr', h('td', { colspan: 7 }, h('span.muted', stage ? '这一阶段没有欠费住户' : '没有欠费住户'))));
    fill(pager, cursorPager('#/arrears', params, l));
  };
  await load();
  poll(load, 10000);
}

function boardRow(c, showEstate) {
  const href = `#/arrears/${c.household_id}`;
  const overdue = daysSince(c.oldest_due_on);
  return h('tr.clickable', { dataset: { household: String(c.household_id) }, onclick: (e) => { if (!e.target.closest('a')) go(href); } },
    h('td', h('a', { href }, c.address || `住户 #${c.household_id}`),
      showEstate ? h('div.muted', (session.estate(c.estate_id) || {}).name || '') : null),
    h('td', stageBadge(c.shown_stage || c.stage), c.paused_reason ? h('div.muted', label(pauseReasons, c.paused_reason)) : null),
    h('td.num', h('b', fmtYuan(c.owed_fen))),
    h('td', civil(c.oldest_due_on), overdue > 0 ? h('div.muted', `逾期 ${overdue} 天`) : null),
    h('td.assignee', c.assignee_name || h('span.muted', '—')),
    h('td.due', c.next_step_at ? [h('div', nextStep(c.next_step)), h('div.muted', fmtTime(c.next_step_at), ' ', countdown(c.next_step_at))] : h('span.muted', '无')),
    h('td.hide-sm.muted', fmtTime(c.checked_at || c.updated_at)));
}

// ── The legal-referral queue (法务审批) ──────────────────────────────────

export async function legalQueuePage(view) {
  const estateId = session.estateId || '';
  const body = h('tbody');
  fill(view,
    h('div.row.head', h('h1', '转法务审批'), h('a', { href: '#/arrears' }, '← 催缴看板'), h('a#legal-cases-link', { href: '#/legal' }, '法务案件 →')),
    h('p.muted', '催缴阶梯已走到“转法务”的住户，等待项目经理决定。批准须在书面催告期满之后；驳回后会在一段时间后再次提请。'),
    h('div.card', h('div.table-wrap', h('table.list#legal-queue',
      h('thead', h('tr', h('th', '住户'), h('th.num', '欠费金额'), h('th', '最早欠费'), h('th', '书面催告'), h('th', '决定'))), body))));
  const load = async () => {
    const l = await get('/arrears' + qs({ estate_id: estateId, stage: 'legal_pending', page_size: 100 }));
    fill(body, l.items.length ? l.items.map((c) => legalRow(c, load)) : h('tr', h('td', { colspan: 5 }, h('span.muted', '没有等待决定的案件'))));
  };
  await load();
}

/**
 * Asks the manager to confirm an approval of legal referral, stating the
 * household, what it owes and whether the written demand was served; a
 * rejection needs no confirmation. Resolves true to go on.
 */
export function confirmLegal(address, owedFen, servedAt) {
  return confirmDialog({
    title: '确认批准转法务', ok: '确认批准',
    rows: [['住户', address], ['欠费金额', fmtYuan(owedFen)],
      ['书面催告', servedAt ? `已送达（${fmtTime(servedAt, true)}）` : '未送达']],
    note: servedAt ? '批准后案件转交法务处理，不再自动催缴。'
      : '未送达书面催告，依《民法典》第九百四十四条不能转法务，批准将被拒绝。',
  });
}

/** The buttons of a legal-referral decision: approve or reject. */
const legalButtons = () => [
  h('button', { type: 'submit', value: 'approve', dataset: { decision: 'approve' } }, '批准转法务'),
  h('button.secondary', { type: 'submit', value: 'reject', dataset: { decision: 'reject' } }, '驳回'),
];

function legalRow(c, reload) {
  const reason = reasonInput('决定理由（必填）');
  const form = h('form.legal-decision', { novalidate: true, dataset: { household: String(c.household_id) } },
    field('理由', reason), h('div.actions', legalButtons()));
  const send = submissions();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const approve = !!e.submitter && e.submitter.value === 'approve';
    if (!reason.value.trim()) { showError(form, { code: 'invalid_input', field: 'reason', message: '必填' }); return; }
    if (approve && !(await confirmLegal(c.address || `住户 #${c.household_id}`, c.owed_fen, c.notice_served_at))) return;
    try {
      await send(`/households/${c.household_id}/arrears/legal-decision`, { approve, reason: reason.value.trim(), confirm: approve });
      toast(approve ? '已批准转法务' : '已驳回');
      await reload();
    } catch (err) {
      showError(form, err);
    }
  });
  return h('tr', { dataset: { household: String(c.household_id) } },
    h('td', h('a', { href: `#/arrears/${c.household_id}` }, c.address || `住户 #${c.household_id}`)),
    h('td.num', fmtYuan(c.owed_fen)),
    h('td', civil(c.oldest_due_on), h('div.muted', `逾期 ${daysSince(c.oldest_due_on)} 天`)),
    h('td', c.notice_served_at ? fmtTime(c.notice_served_at, true) : h('span.err', '未送达')),
    h('td', form));
}

// ── The bills of a billing period (behind the collection rate) ──────────

export async function periodBillsPage(view, { params, match }) {
  const period = /^\d{4}-\d{2}$/.test(params.get('period') || '') ? params.get('period') : '';
  const estateId = params.get('estate_id') || session.estateId || '';
  const l = await get('/bills' + qs({ estate_id: estateId, period, page_size: 200 }));
  // Reached from the managers' view (管理看板) or from 收费管理: back to
  // whichever of the two the role may see.
  const back = session.has(...managersView) ? h('a', { href: '#/dashboard' }, '← 返回看板') : h('a', { href: '#/finance' }, '← 返回收费管理');
  const here = match && match[0].startsWith('/finance') ? '#/finance/bills' : '#/bills';
  const pick = h('form.row#bills-period', h('label', '账期 ', h('input', { type: 'month', name: 'period', value: period })),
    h('button', { type: 'submit' }, '查看'), h('a', { href: here }, '全部'));
  pick.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(here + qs({ period: pick.period.value, estate_id: params.get('estate_id') || '' }));
  });
  fill(view,
    h('div.row.head', h('h1', `${periodName(period) || '全部'}账单`), h('span.muted', `共 ${l.total} 张`), back),
    pick,
    h('div.card', h('div.list-tools', exportControl('/bills', { estate_id: estateId, period })), h('div.table-wrap', h('table.list#period-bills',
      h('thead', h('tr', h('th', '账单'), h('th', '住户'), h('th', '账期'), h('th.num', '金额'), h('th', '到期日'), h('th', ''))),
      h('tbody', l.items.length ? l.items.map((b) => h('tr',
        h('td', h('a', { href: `#/finance/bills/${b.id}` }, `#${b.id}`)),
        h('td', h('a', { href: `#/arrears/${b.household_id}` }, b.address || `住户 #${b.household_id}`)),
        h('td', periodName(b.period)),
        h('td.num', fmtYuan(b.amount_fen)),
        h('td', civil(b.due_on), b.disputed ? [' ', h('span.badge', '有异议')] : null),
        h('td', h('a', { href: `#/arrears/${b.household_id}` }, '欠费详情')))) : h('tr', h('td', { colspan: 6 }, h('span.muted', '没有账单'))))))));
}

// ── A household's case (欠费详情) ────────────────────────────────────────

// The case page's actions: the buttons' text, in their order.
const caseActions = {
  payment: '登记付款', outcome: '记录催缴结果', dispute: '登记账单异议', resolve: '处理异议',
  plan: '申请分期', approve: '批准分期', waiver: '减免滞纳金', legal: '转法务决定', service: '记录催缴函送达',
};

const stageOf = (d) => (d.process ? d.process.stage : (d.case ? d.case.stage : ''));
/** The stage to show: the standing's, which agrees with the days overdue. */
const shownStage = (d) => (d.standing && d.standing.stage) || stageOf(d);
const waivable = (l) => l.late_fee - l.late_fee_waived - l.late_fee_paid > 0;
/** Whether line l may be disputed today (the server's statement says). */
const disputable = (l) => l.disputable;
/** Whether the caller may record task t's outcome: its assignee, or the desk. */
// A letter's delivery task takes its service (记录送达), not a call's outcome.
const mayRecord = (t) => t.action !== 'formal_notice' && (t.assignee_id === session.me.id || session.has(...deskRoles));
const awaiting = (l) => l.awaits_service;

/**
 * The actions the caller may take on the household now, as the server lists
 * them: the account's (account_actions: the routes' roles and what the
 * account holds) and the case process's (allowed_actions: its state and the
 * caller's role), the latter only where something here is there to act on.
 */
function allowedActions(d) {
  const process = d.allowed_actions || [];
  return [
    ...(d.account_actions || []),
    ...[
      ['outcome', process.includes('task_outcome') && d.tasks.some((t) => t.status === 'open' && mayRecord(t))],
      ['service', process.includes('record_service') && d.demand_letters.some(awaiting)],
      ['approve', process.includes('plan_approve') && d.plans.some((p) => p.status === 'proposed')],
      ['legal', process.includes('legal_decision')],
    ].filter(([, ok]) => ok).map(([k]) => k),
  ];
}

export async function casePage(view, { match }) {
  const id = Number(match[1]);
  let d = await get(`/households/${id}/arrears`);
  const hh = await get(`/households/${id}`);
  const address = `${hh.building} ${hh.unit_number}`;
  const who = namer(await loadStaff(hh.estate_id, true).catch(() => new Map()));
  const may = (k) => allowedActions(d).includes(k);

  const head = h('div');
  const sums = h('div.stats#case-sums');
  const bills = h('div.card#bills');
  const acts = h('div.card#case-actions');
  const proc = h('div.card#process');
  const tasks = h('div.card#tasks');
  const records = h('div.card#records');
  const history = h('div.card#history');
  const caseLog = h('div.card#case-log');

  const draw = () => {
    const st = shownStage(d);
    fill(head, h('div.row.head', h('h1', `欠费详情 · ${address}`), stageBadge(st, { id: 'case-stage' }),
      d.process && d.process.segment ? h('span.badge#case-segment', label(segments, d.process.segment)) : null,
      h('a', { href: '#/arrears' }, '← 催缴看板'), h('a#case-payments', { href: `#/finance/payments?household_id=${id}` }, '缴费记录')),
    d.limitation && d.limitation.warn ? h('div.banner.error', { role: 'alert' }, `诉讼时效提醒：最早欠费自 ${d.limitation.debt_since} 起，时效将于 ${d.limitation.lapses_on} 届满，请及时书面催告或转法务。`) : null,
    d.process_error ? h('div.banner.info', '流程状态暂不可读，稍后自动刷新') : null);
    const a = d.account;
    const stat = (cls, n, text, key) => h('div.stat' + cls, { dataset: { sum: key } }, h('div.n', n), h('div.muted', text));
    fill(sums, stat('.red', fmtYuan(a.total), '今日欠费合计', 'total'), stat('', fmtYuan(a.principal), '欠本金', 'principal'),
      stat('.amber', fmtYuan(a.late_fee), '欠滞纳金', 'late_fee'), stat('', fmtYuan(a.paid), '累计已付', 'paid'),
      a.credit ? stat('', fmtYuan(a.credit), '预存余额', 'credit') : null);
    drawBills();
    drawProcess(proc, d, who);
    drawTasks();
    drawRecords();
    drawHistory(history, caseLog, d, who);
    bar.draw();
  };

  const drawBills = () => {
    const lines = d.account.lines;
    fill(bills, h('h2', '账单明细（按到期日）'), h('div.table-wrap', h('table.list#bill-lines',
      h('thead', h('tr', h('th', '账期'), h('th', '到期日'), h('th.num', '本金'), h('th.num', '滞纳金'), h('th.num', '已减免'),
        h('th.num', '已付'), h('th.num', '尚欠'), h('th.num', '逾期天数'), h('th', ''))),
      h('tbody', lines.length ? lines.map((l) => h('tr', { dataset: { bill: String(l.bill_id) }, className: l.outstanding > 0 && l.days_overdue > 0 ? 'risk' : '' },
        h('td', periodName(l.period), l.disputed ? [' ', h('span.badge', '有异议')] : null),
        h('td', l.due),
        h('td.num', fmtYuan(l.principal)),
        h('td.num', fmtYuan(l.late_fee)),
        h('td.num', l.late_fee_waived ? fmtYuan(l.late_fee_waived) : '—'),
        h('td.num', fmtYuan(l.principal_paid + l.late_fee_paid)),
        h('td.num', h('b', fmtYuan(l.outstanding))),
        h('td.num', l.days_overdue ? String(l.days_overdue) : '—'),
        h('td.row-acts',
          may('dispute') && disputable(l) ? h('button.link', { type: 'button', dataset: { act: 'dispute' }, onclick: () => bar.open('dispute', l.bill_id) }, '异议') : null,
          may('waiver') && waivable(l) ? h('button.link', { type: 'button', dataset: { act: 'waiver' }, onclick: () => bar.open('waiver', l.bill_id) }, '减免') : null))) : h('tr', h('td', { colspan: 9 }, h('span.muted', '没有账单')))),
      lines.length ? h('tfoot', h('tr', h('th', '合计'), h('th', ''), h('th.num', fmtYuan(sumOf(lines, 'principal'))), h('th.num', fmtYuan(sumOf(lines, 'late_fee'))),
        h('th.num', fmtYuan(sumOf(lines, 'late_fee_waived'))), h('th.num', fmtYuan(sumOf(lines, 'principal_paid') + sumOf(lines, 'late_fee_paid'))),
        h('th.num', fmtYuan(sumOf(lines, 'outstanding'))), h('th', ''), h('th', ''))) : null)));
  };

  const drawTasks = () => {
    fill(tasks, h('h2', `催缴任务（${d.tasks.length}）`), d.tasks.length ? h('div.table-wrap', h('table.list#task-list',
      h('thead', h('tr', h('th', '任务'), h('th', '负责人'), h('th', '期限'), h('th', '状态'), h('th', '结果'))),
      h('tbody', d.tasks.map((t) => h('tr', { dataset: { task: String(t.id) } },
        h('td', label(dunningActions, t.action), t.escalation_level ? [' ', h('span.badge.esc', `升级 L${t.escalation_level}`)] : null),
        h('td', who(t.assignee_id)),
        h('td', t.status === 'open' ? [fmtTime(t.due_at), ' ', countdown(t.due_at)] : fmtTime(t.due_at)),
        h('td', label(taskStatuses, t.status)),
        h('td', t.outcome ? label(taskOutcomes, t.outcome) : '—', t.promised_on ? h('div.muted', `承诺 ${civil(t.promised_on)} 付款`) : null,
          t.note ? h('div.muted', t.note) : null,
          may('outcome') && t.status === 'open' && mayRecord(t) ? h('button.link', { type: 'button', onclick: () => bar.open('outcome', t.id) }, '记录结果') : null)))))) : h('p.muted', '没有电话或上门任务'));
  };

  const drawRecords = () => {
    const billPeriod = (bid) => periodName((d.account.lines.find((l) => l.bill_id === bid) || {}).period) || `账单 #${bid}`;
    fill(records,
      h('h2', '异议'), d.disputes.length ? h('ul.plain#dispute-list', d.disputes.map((x) => h('li', { dataset: { dispute: String(x.id) } },
        h('b', billPeriod(x.bill_id)), ' ', h('span.badge.st', label(disputeStatuses, x.status)), ` ${fmtTime(x.opened_at)} · ${who(x.opened_by)}`,
        h('div', x.reason),
        x.resolution ? h('div.muted', `处理：${x.resolution}${x.corrected_fen !== undefined && x.corrected_fen !== null ? `（更正为 ${fmtYuan(x.corrected_fen)}）` : ''}，到期日顺延 ${x.shift_days} 天`) : null,
        may('resolve') && x.status === 'open' ? h('button.link', { type: 'button', onclick: () => bar.open('resolve', x.id) }, '处理') : null))) : h('p.muted', '没有异议'),
      h('h2', '分期方案'), d.plans.length ? h('ul.plain#plan-list', d.plans.map((p) => h('li', { dataset: { plan: String(p.id) } },
        h('span.badge.st', label(planStatuses, p.status)), ` ${p.instalments.length} 期，共 ${fmtYuan(p.instalments.reduce((n, i) => n + i.amount_fen, 0))} · ${who(p.proposed_by)} 申请`,
        h('div.muted', p.instalments.map((i) => `${i.due} ${fmtYuan(i.amount_fen)}`).join('；')),
        h('div', `理由：${p.reason}`),
        may('approve') && p.status === 'proposed' ? h('button.link', { type: 'button', onclick: () => bar.open('approve', p.id) }, '审批') : null))) : h('p.muted', '没有分期方案'),
      h('h2', '书面催告函'), d.demand_letters.length ? h('ul.plain#letter-list', d.demand_letters.map((l) => h('li', { dataset: { letter: String(l.id) } },
        `${civil(l.served_on)} 出具 · ${fmtYuan(l.amount_fen)} · `, letterState(l), ' ',
        h('a', { href: `#/letters/${l.id}` }, '打印催缴函'),
        may('service') && awaiting(l) ? [' ', h('button.link', { type: 'button', onclick: () => bar.open('service', l.id) }, '记录送达')] : null,
        h('details', h('summary', '查看全文'), h('pre.letter', l.text))))) : h('p.muted', '尚未发出'));
  };

  const reload = async () => { d = await get(`/households/${id}/arrears`); draw(); };
  const bar = actionBar(acts, {
    title: '操作', mark: 'form', msgId: 'case-msg', formId: 'case-form',
    actions: () => allowedActions(d).map((k) => [k, caseActions[k], k === 'payment' ? '' : 'secondary']),
    none: () => {
      if ((d.allowed_actions || []).includes('legal_outcome')) return '法务文书与结果请在顶部菜单“法务案件”中登记';
      return stageOf(d) === 'closed' || !d.case ? '没有在催案件；您的角色在此没有可执行的操作' : '您的角色在此没有可执行的操作';
    },
    form: (k, target) => caseForm(k, target, d, id, who, address),
    request: (k, form, btn) => form.request(btn),
    reload,
  });

  fill(view, head, sums, h('div.grid2.case', h('div', contactCard(d.contact, `arrears:${id}`), acts, bills, tasks, records), h('div', proc, history, caseLog)));
  draw();
  poll(reload, 4000);
}

const sumOf = (rows, k) => rows.reduce((n, r) => n + (r[k] || 0), 0);

function drawProcess(el, d, who) {
  const p = d.process;
  const c = d.case;
  if (!p) {
    fill(el, h('h2', '催缴流程'), c
      ? h('dl.kv', h('dt', '阶段'), h('dd', label(stages, c.stage)), h('dt', '立案'), h('dd', fmtTime(c.opened_at, true)),
        c.closed_at ? [h('dt', '结案'), h('dd', fmtTime(c.closed_at, true))] : null, h('dt', '到达步骤'), h('dd', c.step_reached >= 0 ? String(c.step_reached + 1) : '无'))
      : h('p.muted', '该住户没有催缴案件'));
    return;
  }
  const paused = p.pauses.filter((x) => !x.until || Date.parse(x.until) > Date.now());
  fill(el, h('h2', '催缴流程（实时）'),
    h('dl.kv',
      h('dt', '阶段'), h('dd', h('span#process-stage', label(stages, shownStage(d)))),
      h('dt', '下一步'), h('dd#next-step', p.next_step_at ? [`${nextStep(p.next_step)} · ${fmtTime(p.next_step_at)} `, countdown(p.next_step_at)] : '无'),
      h('dt', '暂停原因'), h('dd#paused-reason', paused.length ? paused.map((x) => `${label(pauseReasons, x.reason)}（自 ${fmtTime(x.since)}${x.until ? ` 至 ${fmtTime(x.until)}` : ''}）`).join('；') : '未暂停'),
      h('dt', '逾期'), h('dd#overdue-days', overdueText(d.standing)),
      h('dt', '阶梯计时'), h('dd#ladder-clock', ladderText(d.standing),
        p.paused_seconds ? h('span.muted', `（已扣除暂停 ${fmtDuration(p.paused_seconds)}）`) : null),
      h('dt', '流程欠费'), h('dd', fmtYuan(p.owed_fen)),
      p.notice_served_at ? [h('dt', '书面催告'), h('dd', fmtTime(p.notice_served_at, true))] : null,
      p.plan ? [h('dt', '分期执行'), h('dd', `已按期 ${p.plan.Kept} / ${p.plan.Instalments.length} 期`)] : null),
    h('h3', '催缴阶梯'),
    h('ol.ladder', p.ladder.map((s, i) => h('li', { className: i <= p.step_reached ? 'done' : (i === p.step_reached + 1 ? 'next' : '') },
      `${label(dunningActions, s.action)}${s.channel ? `（${label(contactChannels, s.channel)}）` : ''}${s.role ? ` · ${label(roles, s.role)}` : ''}`,
      h('span.muted', ` 逾期 ${fmtDuration(durationSeconds(s.after))} 后`)))));
}

const monthDay = (date) => (date || '').slice(5);

/** How long the oldest unpaid bill is overdue, in words. */
function overdueText(st) {
  if (!st || !st.oldest_due) return '无欠费';
  if (!st.days_overdue) return `未逾期（最早一笔 ${st.oldest_due} 到期）`;
  return `已逾期 ${st.days_overdue} 天（最早欠费 ${st.oldest_due} 到期）`;
}

/** Since when and why the dunning ladder counts, in words. */
function ladderText(st) {
  if (!st || !st.ladder_from) return st && st.oldest_due ? '尚未开始（欠费到期次日起计算）' : '未开始';
  if (st.ladder_basis === 'imported') return `历史欠费导入于 ${monthDay(st.ladder_from)}，自该日起计算催缴阶梯`;
  return `自 ${monthDay(st.ladder_from)}（最早欠费到期次日）起计算催缴阶梯`;
}

/** Seconds of a policy duration ("72h0m0s", "30s", a number of ns). */
function durationSeconds(v) {
  if (typeof v === 'number') return v / 1e9;
  let s = 0;
  for (const [, n, u] of String(v || '').matchAll(/(\d+(?:\.\d+)?)(d|h|m|s)/g)) s += Number(n) * { d: 86400, h: 3600, m: 60, s: 1 }[u];
  return s;
}

/**
 * The contacts with the household (reminders, calls, visits) and their
 * messages in one timeline, every other case event (new bills, payments,
 * pauses, decisions) in another.
 */
function drawHistory(el, logEl, d, who) {
  const contacts = d.contacts || [];
  const shown = new Set(contacts.map((e) => e.id));
  const others = d.history.filter((e) => !shown.has(e.id));
  timeline(el, {
    title: `联系记录（${contacts.length} 次联系，${d.messages.length} 条消息）`, id: 'contact-history',
    events: contacts, messages: d.messages, who, types: caseEvents, event: caseEvent,
  });
  timeline(logEl, {
    title: `案件记录（${others.length} 个事件：账单、付款、暂停与决定）`, id: 'case-events',
    events: others, messages: [], who, types: caseEvents, event: caseEvent,
  });
}

function caseEvent(e) {
  return {
    cls: /legal|escalat/.test(e.type) ? 'esc' : (e.type === 'paused' ? 'warn' : ''),
    // A case's events show the stage they left it in, not a transition.
    status: e.to_status ? h('span.muted', ` · ${label(stages, e.to_status)}`) : null,
    notes: notes(e),
  };
}

/** What a case event's channel, outcome and details say, in words. */
function notes(e) {
  const det = e.detail || {};
  const parts = [];
  if (e.channel) parts.push(label(contactChannels, e.channel));
  if (e.outcome) parts.push(label(stepOutcomes, e.outcome));
  if (det.action) parts.push(label(dunningActions, det.action));
  if (det.reason) parts.push(label(pauseReasons, det.reason));
  if (det.promised_on) parts.push(`承诺 ${det.promised_on} 付款`);
  if (det.note) parts.push(det.note);
  if (det.held) parts.push(`暂停了 ${det.held}`);
  return parts;
}

/** An invalid-input error shown beside the field, before anything is sent. */
const invalid = (f, message) => ({ code: 'invalid_input', field: f, message });

/** Reads a yuan amount from input into fen, or throws an error naming f. */
function fenOf(input, f, optional) {
  if (optional && !input.value.trim()) return null;
  const fen = yuanToFen(input.value);
  if (fen === null || fen <= 0) throw invalid(f, '请输入大于 0 的金额（元），最多两位小数，如 300 或 300.50');
  return fen;
}

/** A letter's service in words: "待送达" or "2026-03-02 邮寄送达（SF100）". */
export function letterState(l) {
  if (l.awaits_service) return h('span.badge.err', '待送达');
  if (!l.delivered_on) return h('span.badge.st', '出具即视为送达');
  return h('span.badge.st', `${civil(l.delivered_on)} ${label(deliveryMethods, l.delivery_method)}${l.tracking_no ? `（${l.tracking_no}）` : ''}`);
}

/**
 * Appends to form the fields of a letter's service (method, tracking
 * number, photo or note, served date) and returns serviceBody(), which
 * checks them as the server does and returns the request's body.
 */
export function serviceFields(form) {
  const method = select('delivery_method', deliveryMethods, '', '请选择');
  const tracking = h('input', { name: 'tracking_no', maxLength: 64, autocomplete: 'off', placeholder: '邮寄送达必填' });
  const proof = h('input', { name: 'delivery_proof', maxLength: 500, placeholder: '张贴送达必填：照片编号或说明' });
  const today = localISO().slice(0, 10);
  const on = h('input', { type: 'date', name: 'served_on', value: today, max: today });
  const trackingField = field('快递单号', tracking);
  const sync = () => { trackingField.hidden = method.value !== 'post'; };
  method.addEventListener('change', sync);
  sync();
  form.append(h('div.row', field('送达方式', method), trackingField, field('送达日期', on)), field('照片编号或说明', proof));
  return {
    serviceBody: () => {
      if (!method.value) throw invalid('delivery_method', '请选择送达方式');
      if (method.value === 'post' && !tracking.value.trim()) throw invalid('tracking_no', '邮寄送达须填写快递单号');
      if (method.value === 'posting' && !proof.value.trim()) throw invalid('delivery_proof', '张贴送达须填写照片编号或说明');
      if (!on.value) throw invalid('served_on', '请填写送达日期');
      return { delivery_method: method.value, tracking_no: tracking.value.trim(), delivery_proof: proof.value.trim(), served_on: on.value };
    },
  };
}

/** A form of the case page; form.request(submitter) builds the POST. */
function caseForm(kind, target, d, householdID, who, address) {
  const form = formFor(kind, '.case-form');
  const pick = (name, rows, value) => {
    const s = h('select', { name });
    for (const r of rows) s.append(h('option', { value: String(r[0]), selected: r[0] === value }, r[1]));
    return s;
  };
  const billRows = (lines) => lines.map((l) => [l.bill_id, `${periodName(l.period)} · 尚欠 ${fmtYuan(l.outstanding)}`]);
  let submit = '提交';
  switch (kind) {
    case 'payment': {
      const amount = h('input', { name: 'amount_fen', inputMode: 'decimal', autocomplete: 'off', placeholder: '如 300.50' });
      const all = h('button.link', { type: 'button', onclick: () => { amount.value = fenToYuan(d.account.total); } }, `填入全部欠款 ${fmtYuan(d.account.total)}`);
      const channel = select('channel', payChannels, 'wechat');
      const ref = h('input', { name: 'reference', maxLength: 100, placeholder: '收据号或支付流水号' });
      const at = h('input', { type: 'datetime-local', name: 'paid_at', value: localISO().slice(0, 16) });
      form.append(h('div.row', field('金额（元）', amount), all), h('div.row', field('付款方式', channel), field('凭证号', ref), field('付款时间', at)));
      submit = '登记付款';
      form.request = () => {
        const fen = fenOf(amount, 'amount_fen');
        if (!ref.value.trim()) throw invalid('reference', '必填');
        if (!at.value) throw invalid('paid_at', '必填');
        return { path: '/payments', done: `已登记付款 ${fmtYuan(fen)}`,
          body: { household_id: householdID, amount_fen: fen, channel: channel.value, reference: ref.value.trim(), paid_at: new Date(at.value).toISOString() } };
      };
      break;
    }
    case 'service': {
      const open = d.demand_letters.filter(awaiting);
      const letter = pick('letter_id', open.map((l) => [l.id, `函号 ${l.id} · ${civil(l.served_on)} 出具 · ${fmtYuan(l.amount_fen)}`]), target || (open[0] || {}).id);
      Object.assign(form, serviceFields(form));
      form.prepend(field('催缴函', letter));
      submit = '保存送达记录';
      form.request = () => ({ path: `/letters/${letter.value}/service`, body: form.serviceBody(), done: '已记录送达，书面催告期自送达日起算' });
      break;
    }
    case 'outcome': {
      const open = d.tasks.filter((t) => t.status === 'open' && t.action !== 'formal_notice');
      const task = pick('task_id', open.map((t) => [t.id, `${label(dunningActions, t.action)} · ${who(t.assignee_id)} · 期限 ${fmtTime(t.due_at)}`]), target || (open[0] || {}).id);
      const outcome = select('outcome', taskOutcomes, '', '请选择');
      const promised = h('input', { type: 'date', name: 'promised_on' });
      const promisedField = field('承诺付款日', promised);
      const note = h('textarea', { name: 'note', maxLength: 1000, placeholder: '通话或上门情况' });
      const sync = () => { promisedField.hidden = outcome.value !== 'promised'; };
      outcome.addEventListener('change', sync);
      sync();
      form.append(field('任务', task), h('div.row', field('结果', outcome), promisedField), field('情况说明', note));
      submit = '保存结果';
      form.request = () => {
        if (!outcome.value) throw invalid('outcome', '必填');
        const body = { outcome: outcome.value, note: note.value.trim() };
        if (outcome.value === 'promised') body.promised_on = promised.value;
        return { path: `/collection-tasks/${task.value}/outcome`, body, done: '已记录催缴结果' };
      };
      break;
    }
    case 'dispute': {
      const bill = pick('bill_id', billRows(d.account.lines.filter(disputable)), target);
      const reason = reasonInput('业主对账单有何异议');
      form.append(field('账单', bill), field('异议原因', reason));
      submit = '登记异议';
      form.request = () => ({ path: `/bills/${bill.value}/disputes`, body: { reason: reason.value.trim() }, done: '已登记异议，催缴暂停' });
      break;
    }
    case 'resolve': {
      const open = d.disputes.filter((x) => x.status === 'open');
      const period = (bid) => periodName((d.account.lines.find((l) => l.bill_id === bid) || {}).period);
      const dispute = pick('dispute_id', open.map((x) => [x.id, `${period(x.bill_id)} · ${x.reason}`]), target);
      const corrected = h('input', { name: 'corrected_fen', inputMode: 'decimal', placeholder: '不填则维持原金额' });
      const resolution = reasonInput('处理意见', 'resolution');
      form.append(field('异议', dispute), h('div.row', field('更正后的金额（元，可选）', corrected), field('处理意见', resolution)));
      submit = '处理异议';
      form.request = () => {
        const fen = corrected.value.trim() === '0' ? 0 : fenOf(corrected, 'corrected_fen', true);
        return { path: `/disputes/${dispute.value}/resolve`, body: { corrected_fen: fen, resolution: resolution.value.trim() }, done: '异议已处理' };
      };
      break;
    }
    case 'plan': {
      const rows = h('div.plan-rows');
      const addRow = () => {
        const i = rows.children.length;
        rows.append(h('div.row', { dataset: { instalment: String(i) } },
          field(`第 ${i + 1} 期 到期日`, h('input', { type: 'date', name: `instalments[${i}].due`, dataset: { path: `instalments[${i}].due` } })),
          field('金额（元）', h('input', { name: `instalments[${i}].amount_fen`, inputMode: 'decimal', dataset: { path: `instalments[${i}].amount_fen` } }))));
      };
      addRow();
      addRow();
      const reason = reasonInput('如：失业，收入中断');
      form.append(h('h3', `分期计划（当前欠费 ${fmtYuan(d.account.total)}）`), rows,
        h('button.secondary', { type: 'button', onclick: addRow }, '＋ 再加一期'), field('申请理由', reason));
      submit = '提交分期申请';
      form.request = () => {
        const instalments = [...rows.children].map((r, i) => {
          const [due, amt] = r.querySelectorAll('input');
          if (!due.value && !amt.value.trim()) return null;
          if (!due.value) throw invalid(`instalments[${i}].due`, '必填');
          return { due: due.value, amount_fen: fenOf(amt, `instalments[${i}].amount_fen`) };
        }).filter(Boolean);
        return { path: '/plans', body: { household_id: householdID, reason: reason.value.trim(), instalments }, done: '已提交分期申请，等待项目经理审批' };
      };
      break;
    }
    case 'approve': {
      const proposed = d.plans.filter((p) => p.status === 'proposed');
      const plan = pick('plan_id', proposed.map((p) => [p.id, `${p.instalments.length} 期 · ${p.instalments.map((i) => `${i.due} ${fmtYuan(i.amount_fen)}`).join('，')}`]), target);
      const chosen = proposed.find((p) => p.id === Number(plan.value)) || proposed[0];
      form.append(field('分期方案', plan), chosen ? h('p.muted', `理由：${chosen.reason}`) : null, h('p.muted', '批准后，分期按期履行期间催缴暂停。'));
      submit = '批准分期';
      form.request = () => ({ path: `/plans/${plan.value}/approve`, body: undefined, done: '已批准分期' });
      break;
    }
    case 'waiver': {
      const lines = d.account.lines.filter(waivable);
      const bill = pick('bill_id', lines.map((l) => [l.bill_id, `${periodName(l.period)} · 可减免滞纳金 ${fmtYuan(l.late_fee - l.late_fee_waived - l.late_fee_paid)}`]), target);
      const amount = h('input', { name: 'amount_fen', inputMode: 'decimal', placeholder: '如 12.30' });
      const reason = reasonInput('减免理由');
      form.append(field('账单', bill), h('div.row', field('减免金额（元）', amount), field('理由', reason)));
      submit = '减免滞纳金';
      form.request = () => ({ path: `/bills/${bill.value}/waivers`, body: { amount_fen: fenOf(amount, 'amount_fen'), reason: reason.value.trim() }, done: '已减免滞纳金' });
      break;
    }
    case 'legal': {
      const reason = reasonInput('决定理由（必填）');
      form.append(field('理由', reason));
      form.end(...legalButtons());
      form.request = async (btn) => {
        if (!reason.value.trim()) throw invalid('reason', '必填');
        const approve = !!btn && btn.value === 'approve';
        if (approve && !(await confirmLegal(address, d.account.total, d.process && d.process.notice_served_at))) return null;
        return { path: `/households/${householdID}/arrears/legal-decision`, body: { approve, reason: reason.value.trim(), confirm: approve }, done: approve ? '已批准转法务' : '已驳回转法务' };
      };
      return form;
    }
  }
  return form.end(submit);
}
