// The policy editor: every number the estate's processes run on, drawn from
// the policy itself (sections, tables for tiers, levels and steps), in the
// units staff use: durations as a number and 分钟/小时/天, amounts in 元,
// templates by name; the server's validation message, in Chinese, beside
// the field it names.
import { get, put } from './api.js';
import { urgencies, roles, milestones, channels as reportChannels, contactChannels as messageChannels, messageTemplates, reason, label } from './labels.js';
import { h, fill, fmtTime, showError, clearErrors, findField, toast, yuanToFen, fenToYuan } from './ui.js';
import { durationUnits, durationPick, durationOf } from './units.js';
import { session } from './session.js';

const sections = {
  repair: '报修时限（SLA）', complaint: '投诉时限', escalation: '升级链', calendar: '服务时间与节假日',
  fees: '物业费', dunning: '催缴阶梯', follow_up: '入住回访', quiet_hours: '免打扰时段', channels: '消息渠道',
  inspection: '巡检与维保', contract: '服务合同',
  release: '群发放行（按渠道限速）',
  notice: '停水停电通知与公告',
  survey: '满意度调查与绩效',
};
const names = {
  tiers: '各紧急程度时限', urgency: '紧急程度', contact: '联系业主', on_site: '到场', on_site_same_day: '当日到场',
  complete: '完工', warn_at_percent: '预警点（时限已过）', confirm_window: '业主确认期', return_visit_window: '回访期',
  appointment_horizon: '预约最远可约（0 为默认 60 天）', hurry_interval: '业主催单间隔（0 为默认 30 分钟）',
  low_score_threshold: '低分阈值（开跟进投诉，0 为不开）', resident_rating: '业主可通过链接自行评价', max_reopens: '最多返工', acknowledge: '受理', answer: '答复',
  resolve: '解决', levels: '升级级别', level: '级别', role: '角色', after: '间隔', workday_start: '上班',
  workday_end: '下班', same_day_cutoff: '当日截止', next_day_by: '次日最迟', workdays: '工作日',
  holidays: '节假日（每行一个日期，如 2026-10-01）', extra_workdays: '调休上班日（每行一个日期）', due_day: '缴费截止',
  late_fee_per_ten_thousand: '滞纳金（每日按欠费本金）', late_fee_cap_percent: '滞纳金上限（不超过本金的）', grace_days: '宽限',
  dispute_before_due_days: '异议截止（到期前）', reminder_days_before: '到期前提醒（天数，逗号分隔）',
  allocation: '部分付款冲抵顺序', pay_url: '缴费页面地址（https）', pay_qr_url: '缴费二维码图片地址（https）', auto_billing: '自动出账', billing_day: '出账日', reading_spike_ratio: '抄表读数待复核（0 为不检查）', steps: '阶梯', action: '动作',
  channel: '渠道', template: '短信/消息模板', good_payer_polite_for: '良好付款人仅温和提醒', large_arrears_fen: '大额欠费标准',
  repeat_late_count: '屡次逾期次数', repeat_late_window_months: '统计期', fast_track_percent: '加速催缴（间隔缩短为原来的）',
  task_due: '人工任务期限', instalment_grace: '分期宽限', legal_decision_reminder: '法务决定提醒间隔',
  formal_notice_period: '书面催告期', window: '回访期限（入住后）', reminder_at: '提醒时点（入住后）', max_attempts: '最多尝试',
  assign_registrar: '派给登记人', start: '开始', end: '结束',
  escalate_milestones: '超时即升级的时限（联系业主、到场、完工；留空为全部）',
  due_within: '各频次任务完成时限（开始后）', cadence: '频次', within: '时限', rectify: '隐患整改时限', severity: '隐患等级',
  statutory_warn_days: '法定检验到期前提醒（天数，逗号分隔，从多到少）', statutory_check_at: '法定检验每日检查时间',
  outage_lead: '停水停电提前通知（紧急情况除外）', reminder_before: '开始前再提醒', max_ahead: '最远可提前安排',
  max_outage: '单次停运最长', daily_cap: '每位业主每日普通通知上限', batch_size: '每批发送户数',
  categories: '各停运类型对应的报修类别', utility: '停运类型',
  resident: '业主消息依次尝试（业主首选渠道之后）', staff: '员工消息依次尝试', receipt_wait: '等待送达回执（逾时改用下一渠道）',
  expiring_days: '到期前多少天算即将到期', max_term_years: '合同期限最长（年）',
  rates: '每秒放行条数（按网关承受能力）', sms: '短信', wechat: '微信', app: 'App', email: '邮件', wecom: '企业微信',
  jitter_window: '日历任务错峰窗口（出账、月初提醒；时限不错峰）',
  min_open: '调查最短开放', max_open: '调查最长开放', close_grace: '季度结束后最迟截止', reminders: '未答提醒（开放后）',
  send_from: '发送时段开始', send_until: '发送时段结束', low_score_opens: '低分（阈值及以下）开启', invite_batch: '每批邀请户数',
  staff_areas: '员工绩效计入的服务领域', area: '服务领域',
  create_ahead: '巡检任务提前生成（开始前，按计划错开；0 为到点生成）',
};
// Column names where a table reads a field its own way.
const columnNames = { levels: { after: '距上一级' }, steps: { after: '逾期满' } };
const enums = {
  urgency: urgencies,
  role: roles,
  action: { message: '消息提醒', phone_call: '电话', visit: '上门', formal_notice: '书面催告', legal_referral: '转法务' },
  channel: { '': '无', sms: '短信', wechat: '微信', app: 'App', phone: reportChannels.phone, visit: '上门', letter: '信函' },
  allocation: { principal_first: '先本金后滞纳金', late_fee_first: '先滞纳金后本金' },
  template: { '': '无', ...messageTemplates },
  cadence: { daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季度', yearly: '每年' },
  severity: { major: '重大隐患', moderate: '较大隐患', minor: '一般隐患' },
  utility: { water: '停水', power: '停电', gas: '停气', lift: '电梯停运' },
  low_score_opens: { visit: '回访', complaint: '投诉工单', none: '仅统计' },
  area: { repair: '维修', cleaning: '保洁', security: '安保', greening: '绿化', customer_service: '客服' },
};
// The channels each dunning action may use (models.actionChannels).
const stepChannels = { message: ['sms', 'wechat', 'app'], phone_call: ['phone'], visit: ['visit'], formal_notice: ['letter'], legal_referral: [''] };
// Durations: a number and a unit. Clock times: "HH:MM".
const durations = new Set(['contact', 'on_site', 'complete', 'confirm_window', 'return_visit_window', 'appointment_horizon', 'hurry_interval',
  'acknowledge', 'answer', 'resolve', 'after', 'good_payer_polite_for', 'task_due', 'instalment_grace',
  'legal_decision_reminder', 'formal_notice_period', 'window', 'reminder_at', 'receipt_wait', 'within', 'jitter_window',
  'outage_lead', 'reminder_before', 'max_ahead', 'max_outage', 'min_open', 'max_open', 'close_grace', 'reminders',
  'create_ahead']);
const clocks = new Set(['workday_start', 'workday_end', 'same_day_cutoff', 'next_day_by', 'start', 'end', 'statutory_check_at',
  'send_from', 'send_until']);
// Words around a number: [before, after].
const affixes = {
  warn_at_percent: ['', '%'], max_reopens: ['', '次'], due_day: ['次月', '日'], billing_day: ['每月', '日'],
  late_fee_per_ten_thousand: ['万分之', ''], reading_spike_ratio: ['超过近期平均的', '倍'], late_fee_cap_percent: ['', '%'], grace_days: ['', '天'],
  dispute_before_due_days: ['', '天'], repeat_late_count: ['', '次'], repeat_late_window_months: ['近', '个月'],
  fast_track_percent: ['', '%'], max_attempts: ['', '次'], low_score_threshold: ['', '分及以下'],
  sms: ['', '条/秒'], wechat: ['', '条/秒'], app: ['', '条/秒'], email: ['', '条/秒'], wecom: ['', '条/秒'],
  daily_cap: ['', '条'], batch_size: ['', '户'],
  invite_batch: ['', '户'],
};
// models.MaxAmountFen: no amount the service records is larger.
const maxAmountFen = 1_000_000_000;
const columns = {
  tiers: ['urgency', 'contact', 'on_site', 'on_site_same_day', 'complete'],
  levels: ['level', 'role', 'after'],
  steps: ['after', 'action', 'channel', 'role', 'template'],
  due_within: ['cadence', 'within'],
  rectify: ['severity', 'within'],
  staff_areas: ['role', 'area'],
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

/**
 * Names a policy path in Chinese: "报修时限（SLA） › 各紧急程度时限 第 1 行 ›
 * 联系业主"; a part the page has no name for is left out.
 */
function pathText(path) {
  const parts = path.replace(/^policy\./, '').split('.');
  return parts.map((p, i) => {
    const [, key, index] = p.match(/^([^[]*)(?:\[(\d+)\])?$/) || [];
    const name = i === 0 ? sections[key] : names[key];
    if (!name) return '';
    return index === undefined ? name : `${name} 第 ${Number(index) + 1} 行`;
  }).filter(Boolean).join(' › ') || '服务策略';
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
  // Values typed that the page cannot send (path → reason), each shown
  // beside its field; a save waits until they are corrected.
  const pending = new Map();
  const invalid = (field, message) => ({ code: 'invalid_input', field, message });
  const accept = (full, path, v) => {
    pending.delete(full);
    form.querySelectorAll(`.err[data-for="${CSS.escape(full)}"]`).forEach((e) => e.remove());
    const el = findField(form, full);
    if (el) el.classList.remove('invalid');
    setAt(model, path, v);
  };
  const refuse = (full, message) => {
    pending.set(full, message);
    showError(form, invalid(full, message));
  };

  // A duration: a number and 分钟/小时/天 (秒 only for a value that needs it).
  const durationInput = (path, value, locked) => {
    const full = 'policy.' + path;
    const pick = durationPick(value) || { n: '', unit: 'm' };
    const num = h('input.qty', { type: 'number', min: '0', step: 'any', inputMode: 'decimal', value: String(pick.n), dataset: { path: full, duration: '' }, 'aria-label': pathText(full) });
    const order = pick.unit === 's' ? ['s', 'm', 'h', 'd'] : ['m', 'h', 'd'];
    const unit = h('select.unit', { 'aria-label': `${pathText(full)}的单位` },
      order.map((u) => h('option', { value: u, selected: u === pick.unit }, durationUnits[u])));
    const sync = () => {
      const n = num.value.trim() === '' ? 0 : Number(num.value);
      if (num.validity.badInput || !Number.isFinite(n) || n < 0) return refuse(full, '请填写不小于 0 的数字');
      accept(full, path, durationOf(n, unit.value));
    };
    num.addEventListener('change', sync);
    unit.addEventListener('change', sync);
    num.disabled = unit.disabled = !canEdit || locked;
    return h('span.dur', num, unit);
  };

  // An amount of fen, shown and typed in 元 with two decimals.
  const moneyInput = (path, fen) => {
    const full = 'policy.' + path;
    const el = h('input.qty', { value: fenToYuan(fen), inputMode: 'decimal', autocomplete: 'off', dataset: { path: full, money: '' }, 'aria-label': `${pathText(full)}（元）` });
    el.addEventListener('change', () => {
      const text = el.value.replace(/[\s,，¥￥元]/g, '');
      const got = yuanToFen(text);
      if (/^\d+\.\d{3,}$/.test(text)) return refuse(full, '最多两位小数（精确到分），如 3000.50');
      if (/^\d+(\.\d{0,2})?$/.test(text) && (got === null || got > maxAmountFen)) return refuse(full, `不能超过 ${fenToYuan(maxAmountFen)} 元`);
      if (got === null) return refuse(full, '请填写金额（元），如 3000 或 3000.50');
      if (got <= 0) return refuse(full, '金额应大于 0');
      el.value = fenToYuan(got);
      accept(full, path, got);
    });
    el.disabled = !canEdit;
    return h('span.money', el, h('span.affix', '元'));
  };

  // A dunning step's channel and template depend on its action.
  const stepChoices = (key, row) => {
    if (key === 'channel') {
      const allowed = stepChannels[row.action];
      return allowed ? Object.fromEntries(allowed.map((c) => [c, enums.channel[c]])) : enums.channel;
    }
    return row.action === 'message' ? messageTemplates : { '': enums.template[''] };
  };
  const onAction = (row) => {
    const allowed = stepChannels[row.action] || [];
    if (!allowed.includes(row.channel ?? '')) row.channel = allowed[0] ?? '';
    if (row.action !== 'message') row.template = '';
    else if (!(row.template in messageTemplates)) row.template = Object.keys(messageTemplates)[0];
    draw();
  };

  const input = (path, key, value, row, table) => {
    const full = 'policy.' + path;
    let el;
    if (durations.has(key)) return durationInput(path, value, key === 'on_site' && row && row.on_site_same_day);
    if (key.endsWith('_fen')) return moneyInput(path, value);
    if (Array.isArray(value)) return listInput(path, key, value);
    const named = { dataset: { path: full }, 'aria-label': pathText(full) };
    if (enums[key] && typeof value === 'string') {
      const choices = table === 'steps' && (key === 'channel' || key === 'template') ? stepChoices(key, row) : enums[key];
      el = h('select', named, Object.entries(choices).map(([k, v]) => h('option', { value: k, selected: k === value }, v)));
      if (!(value in choices)) el.prepend(h('option', { value, selected: true }, value ? label(enums[key], value) : '无'));
      el.addEventListener('change', () => {
        accept(full, path, el.value);
        if (table === 'steps' && key === 'action') onAction(row);
      });
      el.disabled = !canEdit || (table === 'steps' && el.options.length < 2);
      return el;
    }
    let wrap = null;
    if (typeof value === 'boolean') {
      el = h('input', { ...named, type: 'checkbox', checked: value });
      el.addEventListener('change', () => {
        accept(full, path, el.checked);
        if (key === 'on_site_same_day') {
          if (el.checked) row.on_site = '0s';
          draw();
        }
      });
    } else if (typeof value === 'number') {
      el = h('input.qty', { ...named, type: 'number', value: String(value), inputMode: 'numeric', min: '0', step: '1' });
      el.addEventListener('change', () => {
        const n = el.value.trim() === '' ? 0 : Number(el.value);
        if (el.validity.badInput || !Number.isInteger(n)) return refuse(full, '请填写整数');
        accept(full, path, n);
      });
      const [before, after] = affixes[key] || [];
      let tail = after ? h('span.affix', after) : null;
      if (key === 'late_fee_per_ten_thousand') {
        tail = h('span.muted.hint');
        const say = () => { const n = Number(el.value) || 0; tail.textContent = n ? `/ 日，即每欠 10000 元每日 ${n} 元` : '不收滞纳金'; };
        el.addEventListener('input', say);
        say();
      }
      if (before || tail) wrap = h('span.withunit', before ? h('span.affix', before) : null, el, tail);
    } else if (clocks.has(key)) {
      el = h('input', { ...named, value: value ?? '', size: 6, inputMode: 'numeric', placeholder: '如 08:30', autocomplete: 'off' });
      el.addEventListener('change', () => accept(full, path, el.value.trim().replace('：', ':')));
    } else {
      el = h('input', { ...named, value: value ?? '', size: 8 });
      el.addEventListener('change', () => accept(full, path, el.value.trim()));
    }
    el.disabled = !canEdit;
    return wrap || el;
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
    if (durations.has(key)) {
      // A list of durations: one picker a line.
      return h('div.durs', { dataset: { path: full }, tabIndex: -1 },
        value.map((v, i) => h('div.row', durationInput(`${path}[${i}]`, v),
          canEdit ? h('button.link', { type: 'button', onclick: () => { value.splice(i, 1); draw(); } }, '删除') : null)),
        canEdit ? h('button.secondary', { type: 'button', onclick: () => { value.push(value[value.length - 1] || '1d'); draw(); } }, '＋ 添加') : null);
    }
    const coded = path.startsWith('channels.') ? messageChannels : key === 'escalate_milestones' ? milestones : null;
    if (coded) {
      // A list of codes (a channel order, the milestones that escalate):
      // their names, in order, 、-separated.
      const codes = Object.fromEntries(Object.entries(coded).map(([c, n]) => [n, c]));
      const el = h('input', { value: value.map((c) => coded[c] || c).join('、'), dataset: { path: full }, 'aria-label': pathText(full) });
      el.disabled = !canEdit;
      el.addEventListener('change', () => setAt(model, path, el.value.split(/[\s,，、]+/).filter(Boolean).map((x) => codes[x] || x)));
      return el;
    }
    const numeric = value.length ? typeof value[0] === 'number' : ['reminder_days_before', 'statutory_warn_days'].includes(key);
    const parse = (text) => text.split(/[\s,，]+/).filter(Boolean).map((x) => (numeric && !isNaN(Number(x)) ? Number(x) : x));
    const el = textareaLists.includes(key)
      ? h('textarea', { dataset: { path: full }, rows: 4, 'aria-label': pathText(full) }, value.join('\n'))
      : h('input', { value: value.join(', '), dataset: { path: full }, 'aria-label': pathText(full) });
    el.disabled = !canEdit;
    el.addEventListener('change', () => setAt(model, path, parse(el.value)));
    return el;
  };

  const table = (path, key, rows) => {
    const cols = columns[key] || Object.keys(rows[0] || {});
    const head = (c) => (columnNames[key] || {})[c] || names[c] || c;
    const body = h('tbody', rows.map((row, i) => h('tr',
      cols.map((c) => h('td', { dataset: { label: head(c) } }, input(`${path}[${i}].${c}`, c, row[c] ?? (c === 'on_site_same_day' ? false : ''), row, key))),
      canEdit && key !== 'tiers' ? h('td', h('button.link', { type: 'button', onclick: () => { rows.splice(i, 1); renumber(key, rows); draw(); } }, '删除')) : null)));
    return h('div.fld.wide', { dataset: { path: 'policy.' + path } },
      h('span', names[key] || key),
      h('div.table-wrap', h('table.ptable', h('thead', h('tr', cols.map((c) => h('th', head(c))), canEdit && key !== 'tiers' ? h('th') : null)), body)),
      canEdit && key !== 'tiers' ? h('button.secondary', { type: 'button', onclick: () => { rows.push(template(key, rows)); renumber(key, rows); draw(); } }, '＋ 添加一行') : null);
  };

  const fields = (path, obj) => Object.entries(obj).map(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    if (Array.isArray(v) && (v.length ? typeof v[0] === 'object' : ['tiers', 'levels', 'steps', 'due_within', 'rectify'].includes(k))) return table(p, k, v);
    if (Array.isArray(v) || v === null) return h('div.fld', h('span', names[k] || k), listInput(p, k, v || []));
    if (typeof v === 'object') return h('fieldset', h('legend', names[k] || k), fields(p, v));
    return h('label.fld', h('span', names[k] || k), input(p, k, v));
  });

  const save = h('button', { type: 'submit' }, '保存策略');
  const draw = () => {
    pending.clear();
    fill(form,
      h('p.muted', '时长填数字并选单位（分钟、小时、天），金额以元为单位。正在处理的工单保留登记时的策略。'),
      Object.entries(model).map(([k, v]) => h('fieldset', { dataset: { section: k } }, h('legend', sections[k] || k), fields(k, v))),
      canEdit ? h('div.save', save) : h('p.muted', '只有项目经理和公司管理员可以修改策略。'));
  };
  const drawMeta = () => fill(meta, `版本 ${current.version} · 更新于 ${fmtTime(current.updated_at, true)}`);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (pending.size) {
      const [field, message] = pending.entries().next().value;
      showError(form, invalid(field, message));
      return;
    }
    clearErrors(form);
    save.disabled = true;
    try {
      current = await put(`/estates/${estateId}/policy`, { version: current.version, policy: model });
      model = structuredClone(current.policy);
      draw();
      drawMeta();
      toast('策略已保存');
    } catch (err) {
      showPolicyError(form, err);
    } finally {
      save.disabled = false;
    }
  });
  draw();
  drawMeta();
  fill(view, h('div.row', h('h1', `服务策略 · ${(session.estate(estateId) || {}).name || ''}`)), meta, h('div.card', form));
}

/**
 * Shows a refused save beside the field the API names; a field the page
 * has no input for gets a banner naming it in Chinese.
 */
function showPolicyError(form, err) {
  if (err && err.code === 'invalid_input' && err.field) {
    if (findField(form, err.field)) {
      showError(form, err);
      return;
    }
    clearErrors(form);
    form.prepend(h('div.banner.error', { role: 'alert' }, `${pathText(err.field)}：${reason(err.message)}`));
    return;
  }
  showError(form, err);
}

function template(key, rows) {
  switch (key) {
    case 'levels': return { level: (rows ? rows.length : 0) + 1, role: 'estate_manager', after: '30m' };
    case 'steps': return { after: '30d', action: 'message', channel: 'sms', role: '', template: '' };
    case 'due_within': return { cadence: 'daily', within: '4h' };
    case 'rectify': return { severity: 'minor', within: '15d' };
    default: return {};
  }
}

function renumber(key, rows) {
  if (key === 'levels') rows.forEach((r, i) => { r.level = i + 1; });
}

export { label };
