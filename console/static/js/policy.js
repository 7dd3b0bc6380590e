// The policy editor: every number the estate's processes run on, drawn from
// the policy itself (sections, tables for tiers, levels and steps), with the
// server's validation message beside the field it names.
import { get, put } from './api.js';
import { urgencies, roles, channels as reportChannels, label } from './labels.js';
import { h, fill, fmtTime, showError, clearErrors, toast } from './ui.js';
import { session } from './session.js';

const sections = {
  repair: '报修时限（SLA）', complaint: '投诉时限', escalation: '升级链', calendar: '服务时间与节假日',
  fees: '物业费', dunning: '催缴阶梯', follow_up: '入住回访', quiet_hours: '免打扰时段',
};
const names = {
  tiers: '各紧急程度时限', urgency: '紧急程度', contact: '联系业主', on_site: '到场', on_site_same_day: '当日到场',
  complete: '完工', warn_at_percent: '预警点（时限的%）', confirm_window: '业主确认期', return_visit_window: '回访期',
  low_score_threshold: '低分阈值（开跟进投诉）', max_reopens: '最多返工次数', acknowledge: '受理', answer: '答复',
  resolve: '解决', levels: '升级级别', level: '级别', role: '角色', after: '间隔', workday_start: '上班',
  workday_end: '下班', same_day_cutoff: '当日截止', next_day_by: '次日最迟', workdays: '工作日',
  holidays: '节假日（每行一个 YYYY-MM-DD）', extra_workdays: '调休上班日（每行一个）', due_day: '缴费日',
  late_fee_per_mille: '滞纳金（‰/天）', late_fee_cap_percent: '滞纳金上限（本金%）', grace_days: '宽限天数',
  dispute_before_due_days: '异议截止（到期前天数）', reminder_days_before: '到期前提醒（天，逗号分隔）',
  allocation: '部分付款冲抵顺序', auto_billing: '自动出账', billing_day: '出账日', steps: '阶梯', action: '动作',
  channel: '渠道', template: '模板', good_payer_polite_for: '良好付款人仅温和提醒', large_arrears_fen: '大额欠费（分）',
  repeat_late_count: '屡次逾期次数', repeat_late_window_months: '统计月数', fast_track_percent: '加速比例（%）',
  task_due: '人工任务期限', instalment_grace: '分期宽限', legal_decision_reminder: '法务决定提醒间隔',
  formal_notice_period: '书面催告期', window: '回访期限', reminder_at: '提醒时点（逗号分隔）', max_attempts: '最多尝试次数',
  assign_registrar: '派给登记人', start: '开始', end: '结束',
};
const enums = {
  urgency: urgencies,
  role: roles,
  action: { message: '消息提醒', phone_call: '电话', visit: '上门', formal_notice: '书面催告', legal_referral: '转法务' },
  channel: { '': '无', sms: '短信', wechat: '微信', app: 'App', phone: reportChannels.phone, visit: '上门', letter: '信函' },
  allocation: { principal_first: '先本金后滞纳金', late_fee_first: '先滞纳金后本金' },
};
const columns = {
  tiers: ['urgency', 'contact', 'on_site', 'on_site_same_day', 'complete'],
  levels: ['level', 'role', 'after'],
  steps: ['after', 'action', 'channel', 'role', 'template'],
};
const weekdays = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const textareaLists = ['holidays', 'extra_workdays'];
const editable = ['estate_manager', 'company_admin'];

/** Reads the value at a path like "repair.tiers[0].on_site". */
function steps(path) { return path.replace(/\[(\d+)\]/g, '.$1').split('.'); }
function setAt(obj, path, v) {
  const s = steps(path);
  let o = obj;
  for (const k of s.slice(0, -1)) o = o[k];
  o[s[s.length - 1]] = v;
}

export async function policyPage(view) {
  if (!session.estateId) {
    fill(view, h('h1', '服务策略'), h('div.banner.info', '请先在右上角选择一个小区。'));
    return;
  }
  const estateId = session.estateId;
  let current = await get(`/estates/${estateId}/policy`);
  let model = structuredClone(current.policy);
  const canEdit = session.has(...editable);
  const form = h('form.policy#policy-form', { novalidate: true });
  const meta = h('p.muted');

  const input = (path, key, value) => {
    const full = 'policy.' + path;
    let el;
    if (enums[key] && typeof value === 'string') {
      el = h('select', { dataset: { path: full } },
        Object.entries(enums[key]).map(([k, v]) => h('option', { value: k, selected: k === value }, v)));
      if (!(value in enums[key])) el.prepend(h('option', { value, selected: true }, value || '—'));
      el.addEventListener('change', () => setAt(model, path, el.value));
    } else if (typeof value === 'boolean') {
      el = h('input', { type: 'checkbox', checked: value, dataset: { path: full } });
      el.addEventListener('change', () => setAt(model, path, el.checked));
    } else if (typeof value === 'number') {
      el = h('input', { type: 'number', value: String(value), dataset: { path: full }, inputMode: 'numeric' });
      el.addEventListener('change', () => setAt(model, path, el.value === '' ? 0 : Number(el.value)));
    } else {
      el = h('input', { value: value ?? '', dataset: { path: full }, size: 8 });
      el.addEventListener('change', () => setAt(model, path, el.value.trim()));
    }
    el.disabled = !canEdit;
    return el;
  };

  const listInput = (path, key, value) => {
    const full = 'policy.' + path;
    if (key === 'workdays') {
      const box = h('div.row', { dataset: { path: full }, tabIndex: -1 });
      weekdays.forEach((w, i) => {
        const c = h('input', { type: 'checkbox', checked: value.includes(i), disabled: !canEdit });
        c.addEventListener('change', () => {
          const set = new Set(steps(path).reduce((o, k) => o[k], model));
          if (c.checked) set.add(i); else set.delete(i);
          setAt(model, path, [...set].sort((a, b) => a - b));
        });
        box.append(h('label.f.inline', c, w));
      });
      return box;
    }
    const numeric = value.length ? typeof value[0] === 'number' : key === 'reminder_days_before';
    const parse = (text) => text.split(/[\s,，]+/).filter(Boolean).map((x) => (numeric && !isNaN(Number(x)) ? Number(x) : x));
    const el = textareaLists.includes(key)
      ? h('textarea', { dataset: { path: full }, rows: 4 }, value.join('\n'))
      : h('input', { value: value.join(', '), dataset: { path: full } });
    el.disabled = !canEdit;
    el.addEventListener('change', () => setAt(model, path, parse(el.value)));
    return el;
  };

  const table = (path, key, rows) => {
    const cols = columns[key] || Object.keys(rows[0] || {});
    const body = h('tbody', rows.map((row, i) => h('tr',
      cols.map((c) => h('td', input(`${path}[${i}].${c}`, c, row[c] ?? (c === 'on_site_same_day' ? false : '')))),
      canEdit && key !== 'tiers' ? h('td', h('button.link', { type: 'button', onclick: () => { rows.splice(i, 1); renumber(key, rows); draw(); } }, '删除')) : null)));
    return h('div.fld', { dataset: { path: 'policy.' + path } },
      h('span', names[key] || key),
      h('div.table-wrap', h('table', h('thead', h('tr', cols.map((c) => h('th', names[c] || c)), canEdit && key !== 'tiers' ? h('th') : null)), body)),
      canEdit && key !== 'tiers' ? h('button.secondary', { type: 'button', onclick: () => { rows.push(template(key, rows)); renumber(key, rows); draw(); } }, '＋ 添加一行') : null);
  };

  const fields = (path, obj) => Object.entries(obj).map(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    if (Array.isArray(v) && (v.length ? typeof v[0] === 'object' : ['tiers', 'levels', 'steps'].includes(k))) return table(p, k, v);
    if (Array.isArray(v) || v === null) return h('div.fld', h('span', names[k] || k), listInput(p, k, v || []));
    if (typeof v === 'object') return h('fieldset', h('legend', names[k] || k), fields(p, v));
    return h('div.fld', h('span', names[k] || k), input(p, k, v));
  });

  const save = h('button', { type: 'submit' }, '保存策略');
  const draw = () => {
    fill(form,
      h('p.muted', '时长写法：10m（分钟）、2h（小时）、3d（天），可组合如 1d12h。正在处理的工单保留登记时的策略。'),
      Object.entries(model).map(([k, v]) => h('fieldset', { dataset: { section: k } }, h('legend', sections[k] || k), fields(k, v))),
      canEdit ? h('div.save', save) : h('p.muted', '只有项目经理和公司管理员可以修改策略。'));
  };
  const drawMeta = () => fill(meta, `版本 ${current.version} · 更新于 ${fmtTime(current.updated_at, true)}`);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    save.disabled = true;
    try {
      current = await put(`/estates/${estateId}/policy`, { version: current.version, policy: model });
      model = structuredClone(current.policy);
      draw();
      drawMeta();
      toast('策略已保存');
    } catch (err) {
      showError(form, err);
    } finally {
      save.disabled = false;
    }
  });
  draw();
  drawMeta();
  fill(view, h('div.row', h('h1', `服务策略 · ${(session.estate(estateId) || {}).name || ''}`)), meta, h('div.card', form));
}

function template(key, rows) {
  switch (key) {
    case 'levels': return { level: (rows ? rows.length : 0) + 1, role: 'estate_manager', after: '30m' };
    case 'steps': return { after: '30d', action: 'message', channel: 'sms', role: '', template: '' };
    default: return {};
  }
}

function renumber(key, rows) {
  if (key === 'levels') rows.forEach((r, i) => { r.level = i + 1; });
}

export { label };
