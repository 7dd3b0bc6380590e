// Inspections and preventive maintenance (巡检/维保): the estate's equipment
// ledger, its plans and their occurrences (one list page, where desk staff
// edit or retire equipment and supervisors and managers edit, deactivate or
// reactivate plans), and an
// occurrence's page: its checklist, findings (隐患) and rectifications, the
// timeline and the actions its process allows the caller now.
import { api, get, qs } from './api.js';
import { label, roles } from './labels.js';
import { h, fill, field, select, countdown, fmtTime, civil, table, showError, clearErrors, toast, confirmDialog, explain } from './ui.js';
import { session, desk, managersView } from './session.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, staffSelect } from './process.js';

const equipmentTypes = { lift: '电梯', pump: '水泵', fire: '消防', gate: '门禁/道闸', generator: '发电机', other: '其他' };
const cadences = { daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季度', yearly: '每年' };
const statuses = { open: '待巡检', missed: '已逾期', rectifying: '整改中', completed: '已完成', skipped: '已跳过' };
const severities = { major: '重大隐患', moderate: '较大隐患', minor: '一般隐患' };
const eventTypes = {
  opened: '任务生成', missed: '逾期未巡检', escalation: '升级', complete: '完成巡检', finding: '记录隐患', rectify: '整改完成',
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
  const canEquip = session.has(...desk);
  const canPlan = session.has(...managersView);
  const editor = h('div#inspection-edit');
  const reload = () => inspectionsPage(view);
  const btn = (text, data, onclick, cls = 'secondary') => h('button', { type: 'button', className: cls, dataset: data, onclick }, text);
  const equipRows = (equipment.items || []).map((e) => h('tr', h('td', e.code), h('td', e.name), h('td', label(equipmentTypes, e.type)),
    h('td', e.location), h('td', e.contractor || '—'), h('td', civil(e.statutory_due_on)), h('td', e.active ? '在用' : '已报废'),
    canEquip ? h('td', e.active ? [
      btn('编辑', { editEquipment: e.id }, () => fill(editor, equipmentForm(e, editor, reload))),
      btn('报废停用', { retireEquipment: e.id }, () => retireEquipment(e, plans.items || [], reload), 'danger')] : '—') : null));
  const planRows = (plans.items || []).map((p) => h('tr', h('td', p.name), h('td', label(cadences, p.cadence)), h('td', p.at),
    h('td', p.workdays_only ? '是' : '否'), h('td', String((p.checklist || []).length)),
    h('td.plan-state', { dataset: { plan: p.id } }, p.active ? '启用' : '已停用'),
    canPlan ? h('td', p.active ? [
      btn('编辑', { editPlan: p.id }, async () => fill(editor, planForm(p, await loadStaff(p.estate_id), editor, reload))),
      btn('停用', { deactivatePlan: p.id }, () => setPlanActive(p, false, reload), 'danger')]
      : btn('启用', { reactivatePlan: p.id }, () => setPlanActive(p, true, reload))) : null));
  fill(view, h('h1', '设备与巡检'),
    h('div.card', h('h2', '逾期巡检'), table('inspections-overdue', occHeads, occ(overdue), '没有逾期的巡检任务')),
    h('div.card', h('h2', '待整改隐患'), table('inspections-findings', occHeads, occ(open), '没有待整改的隐患')),
    editor,
    h('div.card', h('h2', '设备台账'), table('equipment-list', ['编号', '名称', '类型', '位置', '维保单位', '法定检验到期', '状态', ...(canEquip ? ['操作'] : [])],
      equipRows, '暂无设备')),
    h('div.card', h('h2', '巡检/维保计划'), table('plan-list', ['计划', '频次', '时间', '仅工作日', '检查项', '状态', ...(canPlan ? ['操作'] : [])],
      planRows, '暂无计划')));
}

/** Sends a PATCH of path with body from form; a refusal shows in the form. */
async function patch(form, path, body, done, reload) {
  clearErrors(form);
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => { b.disabled = true; });
  try {
    const out = await api('PATCH', path, body);
    toast(done(out));
    await reload();
  } catch (err) {
    buttons.forEach((b) => { b.disabled = false; });
    showError(form, err);
  }
}

/** The edit form of a ledger entry (dates YYYY-MM-DD, empty clears). */
function equipmentForm(e, box, reload) {
  const input = (name, value, max, type = 'text') => h('input', { name, type, value: value || '', maxLength: max });
  const f = {
    code: input('code', e.code, 40), name: input('name', e.name, 100), type: select('type', equipmentTypes, e.type),
    location: input('location', e.location, 100), maker: input('maker', e.maker, 100),
    installed_on: input('installed_on', civil(e.installed_on).replace('—', ''), 10, 'date'),
    contractor: input('contractor', e.contractor, 100),
    statutory_due_on: input('statutory_due_on', civil(e.statutory_due_on).replace('—', ''), 10, 'date'),
  };
  const form = h('form.card', { novalidate: true, dataset: { form: 'edit-equipment' } }, h('h2', `编辑设备 ${e.code}`),
    field('编号', f.code), field('名称', f.name), field('类型', f.type), field('位置', f.location), field('生产厂家', f.maker),
    field('安装日期', f.installed_on), field('维保单位', f.contractor), field('法定检验到期', f.statutory_due_on),
    h('div.actions', h('button', { type: 'submit' }, '保存'), h('button.secondary', { type: 'button', onclick: () => fill(box) }, '取消')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body = Object.fromEntries(Object.entries(f).map(([k, el]) => [k, el.value.trim()]));
    patch(form, `/equipment/${e.id}`, body, () => '设备已保存', reload);
  });
  return form;
}

/** Asks, then retires e; its active plans are deactivated with it. */
async function retireEquipment(e, plans, reload) {
  const its = plans.filter((p) => p.active && p.equipment_id === e.id).map((p) => p.name);
  const ok = await confirmDialog({ title: '报废停用设备', ok: '报废停用',
    rows: [['设备', `${e.code} ${e.name}`], ['位置', e.location], ['将停用的计划', its.length ? its.join('、') : '无']],
    note: '报废后设备不能再修改，其巡检计划一并停用且不能再启用；已开始的巡检任务照常进行。' });
  if (!ok) return;
  try {
    await api('PATCH', `/equipment/${e.id}`, { active: false });
    toast('设备已报废停用');
    await reload();
  } catch (err) {
    toast(explain(err));
  }
}

/** The edit form of a plan: checklist lines, cadence, time, assignee. */
function planForm(p, staff, box, reload) {
  const name = h('input', { name: 'name', value: p.name, maxLength: 100 });
  const cadence = select('cadence', cadences, p.cadence);
  const startsOn = h('input', { name: 'starts_on', type: 'date', value: civil(p.starts_on).replace('—', '') });
  const at = h('input', { name: 'at', value: p.at, maxLength: 5, placeholder: '08:30' });
  const workdays = h('input', { type: 'checkbox', name: 'workdays_only', checked: !!p.workdays_only });
  const role = select('assignee_role', roles, p.assignee_role || '', '（不按角色）');
  const person = staffSelect([...staff.values()]);
  person.value = p.assignee_id ? String(p.assignee_id) : '';
  const lines = h('div.checklist');
  const addLine = (item = { text: '', required: false }) => {
    const n = lines.children.length;
    lines.append(h('div.fld', h('input', { name: `checklist[${n}].text`, value: item.text, maxLength: 200, placeholder: '检查内容' }),
      h('label', h('input', { type: 'checkbox', name: `checklist[${n}].required`, checked: !!item.required }), ' 必填')));
  };
  (p.checklist || []).forEach(addLine);
  const form = h('form.card', { novalidate: true, dataset: { form: 'edit-plan' } }, h('h2', `编辑计划：${p.name}`),
    field('计划名称', name), field('频次', cadence), field('起始日期', startsOn), field('时间', at), field('仅工作日', workdays),
    h('div.f', { dataset: { path: 'checklist' } }, '检查项', lines,
      h('button.secondary', { type: 'button', dataset: { addItem: '1' }, onclick: () => addLine() }, '添加检查项')),
    field('负责角色', role), field('负责人', person),
    h('div.actions', h('button', { type: 'submit' }, '保存'), h('button.secondary', { type: 'button', onclick: () => fill(box) }, '取消')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const checklist = [...lines.children].map((row) => ({
      text: row.querySelector('input[name$=".text"]').value.trim(),
      required: row.querySelector('input[type=checkbox]').checked,
    })).filter((it, i, all) => it.text || all.length === 1);
    const body = { name: name.value.trim(), cadence: cadence.value, at: at.value.trim(), workdays_only: workdays.checked,
      checklist, assignee_role: role.value, assignee_id: Number(person.value) || 0 };
    if (startsOn.value) body.starts_on = startsOn.value;
    patch(form, `/inspection-plans/${p.id}`, body,
      (out) => (out.next_occurrence ? `计划已保存，下次巡检：${fmtTime(out.next_occurrence)}` : '计划已保存'), reload);
  });
  return form;
}

/** Asks, then deactivates plan p; or reactivates it. */
async function setPlanActive(p, active, reload) {
  if (!active) {
    const ok = await confirmDialog({ title: '停用巡检计划', ok: '停用',
      rows: [['计划', p.name], ['频次', `${label(cadences, p.cadence)} ${p.at}`]],
      note: '停用后不再生成新的巡检任务；已开始的任务照常进行。可随时重新启用。' });
    if (!ok) return;
  }
  try {
    await api('PATCH', `/inspection-plans/${p.id}`, { active });
    toast(active ? '计划已启用' : '计划已停用');
    await reload();
  } catch (err) {
    toast(explain(err));
  }
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
        h('dt', '开始时间'), h('dd', fmtTime(i.scheduled_at),
          status === 'open' && new Date(i.scheduled_at) > new Date() ? h('span.muted#inspection-ahead', ' 提前生成，尚未到开始时间（可提前完成）') : null),
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
