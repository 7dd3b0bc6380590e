// Satisfaction surveys (满意度调查): the campaigns of an estate by quarter
// (a keyset list) with the form to start one, and a campaign's page: its
// progress, the timeline and actions of its process through process.js,
// the call-back visits (回访) low answers asked for, and the results by
// question, building and service area.
import { get, qs } from './api.js';
import { label } from './labels.js';
import { h, fill, field, select, fmtTime, showError, clearErrors, toast, table } from './ui.js';
import { session, go } from './session.js';
import { cursorPager, pagedBy } from './listing.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, submissions } from './process.js';

export const surveyStatuses = { scheduled: '未开始', open: '进行中', closed: '已结束', cancelled: '已取消' };
export const serviceAreas = { repair: '维修', cleaning: '保洁', security: '安保', greening: '绿化', customer_service: '客服' };
const sampleModes = { all: '全体住户', stratified: '按楼栋分层抽样' };
const surveyEvents = {
  created: '创建调查', opened: '开始调查', invited: '发送邀请', reminded: '发送提醒', answered: '住户作答',
  closed: '结束调查', cancelled: '取消调查', callback: '完成回访',
  callback_overdue: '回访逾期，已通知经理', callbacks_overdue: '回访到期检查',
};
const managers = ['estate_manager', 'company_admin'];
const iso = (v) => (v ? new Date(v).toISOString() : null);
const day = (t) => (t ? String(t).slice(0, 10) : '—');
const mean = (s) => (s && s.count ? s.mean.toFixed(2) : '—');

/** This quarter, as the API writes it: "2026Q4". */
function thisQuarter(d = new Date()) {
  return `${d.getFullYear()}Q${Math.floor(d.getMonth() / 3) + 1}`;
}

/** The campaign list (#/surveys), latest opening first, with the form to start one. */
export async function surveyListPage(view, { params }) {
  const estateId = session.estateId || '';
  const status = params.get('status') || '';
  const l = await get('/survey-campaigns' + qs({ estate_id: estateId, status, page_size: 20, ...pagedBy(params) }));
  const filter = select('status', surveyStatuses, status, '全部状态');
  filter.setAttribute('aria-label', '状态');
  filter.addEventListener('change', () => go('#/surveys' + qs({ status: filter.value })));
  const rows = l.items.map((c) => h('tr', { dataset: { campaign: String(c.id) } },
    h('td', h('a', { href: `#/surveys/${c.id}` }, c.title)),
    h('td', c.quarter),
    h('td', h('span.badge.st', label(surveyStatuses, c.status))),
    h('td', `${day(c.opens_at)} 至 ${day(c.closes_at)}`),
    h('td.num', `${c.responded} / ${c.invited}`)));
  fill(view, h('div.row.head', h('h1', '满意度调查'), filter),
    h('div.card', h('div.table-wrap', h('table.list#survey-list',
      h('thead', h('tr', h('th', '调查'), h('th', '季度'), h('th', '状态'), h('th', '时间'), h('th.num', '已答 / 邀请'))),
      h('tbody', rows.length ? rows : h('tr', h('td', { colspan: 5 }, h('span.muted', '没有')))))),
    h('div.row', cursorPager('#/surveys', params, l))),
    !session.has(...managers) ? null : estateId ? createForm(estateId) : h('div.banner.info', '请先在右上角选择一个小区再发起调查。'));
}

/** The form that starts a campaign (the default questionnaire). */
function createForm(estateId) {
  const form = h('form.card#survey-form', { novalidate: true });
  const quarter = h('input', { name: 'quarter', value: thisQuarter(), maxLength: 6, placeholder: '如：2026Q4' });
  const opens = h('input', { type: 'datetime-local', name: 'opens_at' });
  const closes = h('input', { type: 'datetime-local', name: 'closes_at' });
  const mode = select('sample.mode', sampleModes, 'all');
  const rate = h('input', { type: 'number', name: 'sample.rate_percent', min: 1, max: 100, value: 30 });
  const rateField = field('抽样比例（%）', rate);
  const showRate = () => { rateField.hidden = mode.value !== 'stratified'; };
  mode.addEventListener('change', showRate);
  showRate();
  const send = submissions();
  form.append(h('h2', '发起满意度调查'), field('季度', quarter), field('开始时间（留空为立即）', opens), field('结束时间', closes),
    field('调查对象', mode), rateField, h('p.muted', '使用默认问卷：维修、保洁、安保、绿化、客服五项评分及联系方式偏好。'),
    h('div.actions', h('button', { type: 'submit' }, '发起调查')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const sample = mode.value === 'stratified' ? { mode: 'stratified', rate_percent: Number(rate.value) || 0 } : { mode: 'all' };
    try {
      const c = await send('/survey-campaigns', { estate_id: Number(estateId) || 0, quarter: quarter.value.trim(),
        opens_at: iso(opens.value) || undefined, closes_at: iso(closes.value), sample });
      toast('调查已创建');
      go(`#/surveys/${c.id}`);
    } catch (err) { showError(form, err); }
  });
  return form;
}

const surveyActions = [['close', '提前结束'], ['cancel', '取消调查']];

/** A campaign's page (#/surveys/:id). */
export async function surveyPage(view, { match }) {
  const id = Number(match[1]);
  let [d, r] = await Promise.all([get(`/survey-campaigns/${id}`), get(`/survey-campaigns/${id}/results`)]);
  const who = namer(await loadStaff(d.campaign.estate_id, true));
  const info = h('div.card');
  const acts = h('div.card#survey-actions');
  const calls = h('div.card#survey-callbacks');
  const results = h('div.card#survey-results');
  const events = h('div.card');
  const allowed = (a) => (d.allowed_actions || []).includes(a);
  const draw = () => {
    const c = d.campaign;
    const p = d.process || {};
    fill(info, h('h2', c.title),
      h('dl.kv',
        h('dt', '状态'), h('dd', h('span.badge.st#survey-status', label(surveyStatuses, p.status || c.status))),
        h('dt', '季度'), h('dd', c.quarter),
        h('dt', '时间'), h('dd', `${fmtTime(c.opens_at)} 至 ${fmtTime(c.closes_at)}`),
        h('dt', '调查对象'), h('dd', label(sampleModes, c.sample.mode) + (c.sample.mode === 'stratified' ? `（${c.sample.rate_percent}%）` : '')),
        h('dt', '邀请 / 作答'), h('dd#survey-counts', `邀请 ${p.invited ?? c.invited} 户 · 已答 ${p.responded ?? c.responded} 户`),
        h('dt', '已发提醒'), h('dd', `${p.reminded ?? c.reminders_sent} 次`),
        p.next_timer_at ? [h('dt', '下一步'), h('dd', `${label(surveyEvents, p.next_timer)} · ${fmtTime(p.next_timer_at)}`)] : null,
        (c.ticket_ids || []).length ? [h('dt', '低分投诉工单'), h('dd', c.ticket_ids.map((t, i) => [i ? '、' : '', h('a', { href: `#/tickets/${t}` }, `#${t}`)]))] : null,
        c.reason ? [h('dt', '原因'), h('dd', c.reason)] : null));
    const pending = (p.callbacks || c.callbacks || []).filter((cb) => !cb.done_at);
    fill(calls, h('h2', `待回访（${pending.length}）`),
      pending.length ? h('ul', pending.map((cb) => h('li', { dataset: { household: String(cb.household_id) } },
        `住户 #${cb.household_id} · 低分题：${(cb.question_ids || []).join('、')} `,
        allowed('callback') ? h('button.secondary', { type: 'button', onclick: () => bar.open('callback', cb.household_id) }, '记录回访') : null)))
        : h('p.muted', '没有'));
    timeline(events, { title: '时间线', events: d.events, messages: d.messages || [], who, types: surveyEvents, statuses: surveyStatuses });
    drawResults(results, c, r);
    bar.draw();
  };
  const reload = async () => { [d, r] = await Promise.all([get(`/survey-campaigns/${id}`), get(`/survey-campaigns/${id}/results`)]); draw(); };
  const bar = actionBar(acts, {
    title: '操作',
    actions: () => surveyActions.filter(([a]) => allowed(a)).map(([a, text]) => [a, text, 'secondary']),
    none: () => (allowed('callback') ? '在“待回访”中记录回访' : '当前没有可执行的操作'),
    form: (a, household) => {
      const form = formFor(a);
      if (a === 'callback') {
        const n = h('input', { name: 'note', maxLength: 500, placeholder: '如：已电话回访，住户认可处理' });
        form.append(h('p', `住户 #${household} 的回访`), field('回访记录', n));
        form.collect = () => ({ household_id: household, note: n.value.trim() });
      } else {
        const reason = reasonInput(a === 'close' ? '提前结束原因' : '取消原因');
        form.append(field('原因', reason));
        form.collect = () => ({ reason: reason.value.trim() });
      }
      return form.end('确定');
    },
    request: (a, form) => ({ path: `/survey-campaigns/${id}/actions/${a}`, body: form.collect(), done: '已保存' }),
    reload,
  });
  fill(view, h('a', { href: '#/surveys' }, '← 返回满意度调查'), h('div.grid2', h('div', info, acts, calls), events), results);
  draw();
  poll(reload, 5000);
}

/** The results: response rate, by question, building and service area. */
function drawResults(el, c, r) {
  const text = Object.fromEntries((c.questionnaire.questions || []).map((q) => [q.id, q.text]));
  const dist = (s) => (s && s.count ? s.distribution.map((n, i) => `${i + 1}分 ${n}`).join(' · ') : '');
  const group = (g, name) => h('tr', { dataset: { key: g.key } }, h('td', name), h('td.num', String(g.responses)),
    h('td.num', g.invited ? String(g.invited) : '—'), h('td.num', mean(g.scores)));
  fill(el, h('h2', '调查结果'),
    h('p#survey-rate', `回收 ${r.responses} / ${r.invited} 份（${r.response_rate_percent}%）· 总体平均 ${mean(r.overall)} 分 · 低分答卷 ${r.low_responses} 份`),
    h('h3', '按题目'),
    table('survey-questions', ['题目', '服务类别', '作答', '平均分', '分布'], r.questions.map((q) => h('tr', { dataset: { question: q.question_id } },
      h('td', text[q.question_id] || q.question_id), h('td', q.area ? label(serviceAreas, q.area) : '—'),
      h('td.num', String(q.type === 'score' ? q.scores.count : Object.values(q.choices || {}).reduce((a, b) => a + b, 0) || q.texts || 0)),
      h('td.num', q.type === 'score' ? mean(q.scores) : '—'),
      h('td.muted', q.type === 'score' ? dist(q.scores) : Object.entries(q.choices || {}).map(([k, n]) => `${k} ${n}`).join(' · ')))), '还没有答卷'),
    h('div.grid2',
      h('div', h('h3', '按楼栋'), table('survey-buildings', ['楼栋', '作答', '邀请', '平均分'], r.buildings.map((g) => group(g, g.key)), '还没有答卷')),
      h('div', h('h3', '按服务类别'), table('survey-areas', ['服务类别', '作答', '邀请', '平均分'], r.areas.map((g) => group(g, label(serviceAreas, g.key))), '还没有答卷'))));
}
