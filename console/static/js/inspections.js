// Inspections and preventive maintenance (巡检/维保): the estate's equipment
// ledger, its plans and their occurrences (one list page), and an
// occurrence's page: its checklist, findings (隐患) and rectifications, the
// timeline and the actions its process allows the caller now.
import { get, qs } from './api.js';
import { label } from './labels.js';
import { h, fill, field, select, countdown, fmtTime, civil, table } from './ui.js';
import { session } from './session.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, staffSelect } from './process.js';

const equipmentTypes = { lift: '电梯', pump: '水泵', fire: '消防', gate: '门禁/道闸', generator: '发电机', other: '其他' };
const cadences = { daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季度', yearly: '每年' };
const statuses = { open: '待巡检', missed: '已逾期', rectifying: '整改中', completed: '已完成', skipped: '已跳过' };
const severities = { major: '重大隐患', moderate: '较大隐患', minor: '一般隐患' };
const eventTypes = {
  opened: '任务开始', missed: '逾期未巡检', escalation: '升级', complete: '完成巡检', finding: '记录隐患', rectify: '整改完成',
  reassign: '转派', skip: '跳过', ticket_closed: '维修工单关闭', completed: '任务完成',
};
const actions = [['complete', '完成巡检'], ['finding', '记录隐患'], ['rectify', '整改完成'], ['reassign', '转派'], ['skip', '跳过']];

/** The ledger, the plans and the occurrences of the chosen estate. */
export async function inspectionsPage(view) {
  if (!session.estateId) {
    fill(view, h('h1', '设备与巡检'), h('div.banner.info', '请先在右上角选择一个小区。'));
    return;
  }
  const estate = session.estateId;
  const [equipment, plans, overdue, open] = await Promise.all([
    get('/equipment' + qs({ estate_id: estate, page_size: 100 })),
    get('/inspection-plans' + qs({ estate_id: estate, page_size: 100 })),
    get('/inspections' + qs({ estate_id: estate, overdue: true, page_size: 50 })),
    get('/inspections' + qs({ estate_id: estate, open_findings: true, page_size: 50 })),
  ]);
  const occ = (list) => (list.items || []).map((i) => h('tr',
    h('td', h('a', { href: `#/inspections/${i.id}` }, `#${i.id}`)), h('td', i.plan_name), h('td', label(statuses, i.status)),
    h('td', fmtTime(i.due_at), ' ', ['open', 'missed'].includes(i.status) ? countdown(i.due_at) : null), h('td', String(i.open_findings))));
  const occHeads = ['编号', '计划', '状态', '期限', '未整改隐患'];
  fill(view, h('h1', '设备与巡检'),
    h('div.card', h('h2', '逾期巡检'), table('inspections-overdue', occHeads, occ(overdue), '没有逾期的巡检任务')),
    h('div.card', h('h2', '待整改隐患'), table('inspections-findings', occHeads, occ(open), '没有待整改的隐患')),
    h('div.card', h('h2', '设备台账'), table('equipment-list', ['编号', '名称', '类型', '位置', '维保单位', '法定检验到期'],
      (equipment.items || []).map((e) => h('tr', h('td', e.code), h('td', e.name), h('td', label(equipmentTypes, e.type)),
        h('td', e.location), h('td', e.contractor || '—'), h('td', civil(e.statutory_due_on)))), '暂无设备')),
    h('div.card', h('h2', '巡检/维保计划'), table('plan-list', ['计划', '频次', '时间', '仅工作日', '检查项'],
      (plans.items || []).map((p) => h('tr', h('td', p.name), h('td', label(cadences, p.cadence)), h('td', p.at),
        h('td', p.workdays_only ? '是' : '否'), h('td', String((p.checklist || []).length)))), '暂无计划')));
}

/** One occurrence: its checklist, findings, timeline and actions. */
export async function inspectionPage(view, { match }) {
  const id = Number(match[1]);
  let d = await get(`/inspections/${id}`);
  const staff = await loadStaff(d.inspection.estate_id);
  const who = namer(staff);
  const info = h('div.card');
  const acts = h('div.card#inspection-actions');
  const events = h('div.card');
  const draw = () => {
    const i = d.inspection;
    const status = (d.process && d.process.status) || i.status;
    fill(info, h('h2', `#${i.id} ${i.plan_name}`),
      h('dl.kv',
        h('dt', '状态'), h('dd', h('span.badge.st#inspection-status', label(statuses, status)), i.escalation_level ? [' ', h('span.badge.esc', `升级 L${i.escalation_level}`)] : null),
        h('dt', '计划时间'), h('dd', fmtTime(i.scheduled_at)),
        h('dt', '期限'), h('dd', fmtTime(i.due_at), ' ', ['open', 'missed'].includes(status) ? countdown(i.due_at) : null),
        h('dt', '负责人'), h('dd', i.assignee_id ? who(i.assignee_id) : '按角色'),
        h('dt', '检查项'), h('dd', (i.checklist || []).map((c, n) => {
          const r = (i.results || []).find((x) => x.item === n);
          return h('div', `${n + 1}. ${c.text}${c.required ? '（必填）' : ''}`, r ? ` — ${r.ok ? '正常' : '异常'}${r.note ? `：${r.note}` : ''}` : '');
        })),
        h('dt', '隐患'), h('dd', (i.findings || []).length ? i.findings.map((f) => h('div',
          `${f.no}. ${label(severities, f.severity)}：${f.text} · 整改期限 ${fmtTime(f.deadline)}`,
          f.ticket_id ? [' ', h('a', { href: `#/tickets/${f.ticket_id}` }, `工单 #${f.ticket_id}`)] : null,
          f.fixed_at ? ` · 已整改（${f.fix_note || ''}）` : ' · 未整改')) : '无')));
    timeline(events, { title: '时间线', events: d.events, messages: d.messages, who, types: eventTypes, statuses });
    bar.draw();
  };
  const reload = async () => { d = await get(`/inspections/${id}`); draw(); };
  const bar = actionBar(acts, {
    title: '操作',
    actions: () => actions.filter(([a]) => (d.allowed_actions || []).includes(a)).map(([a, text]) => [a, text, a === 'complete' ? '' : 'secondary']),
    none: () => '当前没有可执行的操作',
    form: (a) => actionForm(a, d.inspection, staff),
    request: (a, form) => ({ path: `/inspections/${id}/actions/${a}`, body: form.collect(), done: '已保存' }),
    reload,
  });
  fill(view, h('a', { href: '#/inspections' }, '← 返回设备与巡检'), h('div.grid2', h('div', info, acts), events));
  draw();
  poll(reload, 10000);
}

function findingInputs() {
  const sev = select('findings[0].severity', severities, 'minor');
  const text = h('input', { name: 'findings[0].text', maxLength: 500, placeholder: '隐患描述（可选）' });
  const ticket = h('input', { type: 'checkbox', name: 'findings[0].open_ticket' });
  const collect = () => (text.value.trim() ? [{ severity: sev.value, text: text.value.trim(), open_ticket: ticket.checked }] : []);
  return { fields: [field('隐患等级', sev), field('隐患', text), field('开维修工单', ticket)], collect };
}

function actionForm(action, i, staff) {
  const form = formFor(action);
  switch (action) {
    case 'complete': {
      const rows = (i.checklist || []).map((c, n) => {
        const ok = select(`results[${n}].ok`, { true: '正常', false: '异常' }, 'true');
        const note = h('input', { name: `results[${n}].note`, maxLength: 500, placeholder: '读数或说明（可选）' });
        form.append(field(`${n + 1}. ${c.text}`, ok), note);
        return () => ({ item: n, ok: ok.value === 'true', note: note.value.trim() });
      });
      const f = findingInputs();
      form.append(h('h3', '发现的隐患（可选）'), ...f.fields);
      form.collect = () => ({ results: rows.map((r) => r()), findings: f.collect() });
      return form.end('提交');
    }
    case 'finding': {
      const f = findingInputs();
      form.append(...f.fields);
      form.collect = () => ({ findings: f.collect() });
      return form.end('记录');
    }
    case 'rectify': {
      const open = (i.findings || []).filter((f) => !f.fixed_at && !f.ticket_id);
      const no = h('select', { name: 'no' }, open.map((f) => h('option', { value: String(f.no) }, `${f.no}. ${f.text}`)));
      const note = h('input', { name: 'note', maxLength: 500, placeholder: '整改说明' });
      form.append(field('隐患', no), field('整改说明', note));
      form.collect = () => ({ no: Number(no.value) || 0, note: note.value.trim() });
      return form.end('提交');
    }
    case 'reassign': {
      const s = staffSelect([...staff.values()]);
      form.append(field('转给', s));
      form.collect = () => ({ assignee_id: Number(s.value) || 0 });
      return form.end('转派');
    }
    default: {
      const r = reasonInput('跳过原因');
      form.append(field('原因', r));
      form.collect = () => ({ reason: r.value.trim() });
      return form.end('跳过');
    }
  }
}
