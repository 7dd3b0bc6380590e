// Chinese labels for the service's codes, and translations of its common
// validation reasons. Anything not listed shows as the server sent it.
import { durationText as dt } from './units.js';

export const roles = {
  customer_service: '客服', technician: '维修工', supervisor: '主管', estate_manager: '项目经理',
  finance: '财务', legal: '法务', company_admin: '公司管理员',
};
export const urgencies = { critical: '特急', urgent: '紧急', normal: '一般' };
export const kinds = { repair: '报修', complaint: '投诉' };
export const channels = { phone: '电话', walk_in: '来访', app: 'App', integration: '系统对接' };
export const statuses = {
  new: '待处理', assigned: '已派单', accepted: '已接单', in_progress: '处理中', acknowledged: '已受理',
  answered: '已答复', on_hold: '挂起', completed: '已完工待确认', return_visit: '待回访',
  closed: '已关闭', cancelled: '已取消',
};
export const openStatuses = ['new', 'assigned', 'accepted', 'in_progress', 'acknowledged', 'answered', 'on_hold', 'completed', 'return_visit'];
export const actions = {
  dispatch: '派单', claim: '抢单', accept: '接单', contact: '已联系业主', arrive: '到场', hold: '挂起', resume: '恢复处理',
  transfer: '转派', complete: '完工', cancel: '取消工单', note: '添加备注', acknowledge: '受理',
  answer: '答复', confirm: '业主确认', return_visit: '回访',
};
export const milestones = {
  contact: '联系业主', on_site: '到场', complete: '完工', acknowledge: '受理', answer: '答复',
  resolve: '解决', return_visit: '回访',
};
export const holdReasons = { waiting_parts: '等待配件', resident_absent: '业主不在家', resident_appointment: '业主另约时间' };
export const events = {
  ...actions, reported: '登记', warning: '临期预警', escalation: '升级', auto_confirm: '超时自动确认',
  return_visit_missed: '回访超期', breach: '再次超时', follow_up_opened: '开具跟进投诉', hurry: '业主催单',
};
/** What a photo shows (照片类型). */
export const attachmentKinds = { report: '报修', before: '维修前', after: '维修后', evidence: '证据' };
export const msgStatus = { pending: '待发送', sent: '已发送', failed: '发送失败' };
export const timers = { warn: '预警', escalate: '升级', breach: '超时', auto_confirm: '自动确认', visit_due: '回访期限' };

// Arrears collection (欠费催缴).
export const stages = {
  reminding: '到期提醒', overdue: '已逾期·阶梯计时中', dunning: '催缴中', paused: '暂停催缴', legal_pending: '待法务审批', legal: '已转法务', closed: '已结清',
};
export const openStages = ['reminding', 'dunning', 'paused', 'legal_pending', 'legal'];
// The segment says how the ladder runs and why, never a verdict on the
// household: "good" only means no bill before this arrears was late.
export const segments = { good: '首次逾期·先温和提醒', standard: '标准催缴', fast_track: '加速催缴（欠费较多或多次逾期）' };
export const dunningActions = { message: '消息提醒', phone_call: '电话催缴', visit: '上门催缴', formal_notice: '书面催告', legal_referral: '转法务' };
export const nextSteps = {
  ...dunningActions, reminder: '到期提醒', task_escalation: '任务超期升级', legal_reminder: '提醒法务决定',
  promise_end: '承诺付款到期', plan_check: '分期核对',
};
export const pauseReasons = { promise: '业主承诺付款', dispute: '账单有异议', plan: '分期付款中', complaint: '投诉处理中' };
export const taskOutcomes = {
  reached: '已联系上', not_reached: '未联系上', promised: '承诺付款', refuses_complaint: '拒缴并投诉',
  hardship: '经济困难', wrong_contact: '联系方式有误',
};
export const taskStatuses = { open: '待处理', done: '已完成', closed: '已关闭' };
export const disputeStatuses = { open: '待处理', corrected: '已更正金额', upheld: '维持原账单' };
export const planStatuses = { proposed: '待审批', active: '执行中', completed: '已完成', broken: '已违约', rejected: '已拒绝' };
export const payChannels = { wechat: '微信', alipay: '支付宝', bank: '银行转账', cash: '现金', card: '刷卡', deduction: '代扣' };
export const contactChannels = { sms: '短信', wechat: '微信', app: 'App', phone: '电话', visit: '上门', letter: '信函', email: '邮件', wecom: '企业微信', console: '站内信' };
/** Where one channel's delivery of a message stands. */
export const deliveryStatus = { pending: '发送中', sent: '已发出', delivered: '已送达', failed: '未送达' };
/** The resident texts a message step of the dunning ladder may send. */
export const messageTemplates = { payment_overdue_polite: '逾期温馨提醒', payment_overdue_second: '逾期再次提醒' };
/** How a demand letter was served (送达方式). */
export const deliveryMethods = { in_person: '上门送达', post: '邮寄', posting: '张贴' };
export const caseEvents = {
  opened: '立案', contact: '发送提醒', contact_sent: '提醒已发出（待回执）', contact_failed: '提醒未送达', step: '催缴步骤', task_outcome: '记录结果', task_escalated: '任务超期升级',
  paused: '暂停', resumed: '恢复催缴', plan_approved: '批准分期', instalment_kept: '按期付款', legal_requested: '请求转法务',
  legal_approved: '批准转法务', legal_rejected: '驳回转法务', legal_deferred: '暂缓转法务', complaint_opened: '开具投诉工单',
  legal_document: '登记法务文书', legal_outcome: '登记法务结果',
  closed: '结案', bill: '新账单', payment: '收到付款', dispute: '提出异议', dispute_resolved: '异议已处理', waiver: '减免滞纳金', adjustment: '账单调整（红字/补收）',
  notice_served: '催缴函已送达', reversal: '付款退款或冲正', reopened: '冲正后重新立案（接续原进度）',
};
/** A legal matter's status and outcomes (起诉, 调解, 和解, 撤回). */
export const legalStatuses = { referred: '已转法务·待处理', filed: '起诉', mediated: '调解', settled: '和解', withdrawn: '撤回' };
export const legalDocKinds = { complaint: '起诉状', evidence: '证据', judgment: '判决书', mediation: '调解书', other: '其他' };
export const stepOutcomes = {
  sent: '已发送', failed: '发送失败', delivered: '已送达', queued: '已排队', assigned: '已派任务', unassigned: '无人可派', issued: '已出具',
  no_resident: '无联系人', awaiting_service: '待送达', ...taskOutcomes, ...deliveryMethods, ...legalStatuses, served: '已送达',
};

/** Names the next step of a case ("reminder bill-3/d-7", "phone_call"). */
export function nextStep(code) {
  if (!code) return '无';
  const first = code.split(' ')[0];
  if (nextSteps[code]) return nextSteps[code];
  if (first === 'reminder') return nextSteps.reminder;
  if (first === 'escalate') return nextSteps.task_escalation;
  if (first === 'legal') return nextSteps.legal_reminder;
  if (first === 'promise') return nextSteps.promise_end;
  if (first === 'instalment') return nextSteps.plan_check;
  return code;
}

/** Names a code with its label, or the code itself. */
export const label = (map, code) => (code && map[code]) || code || '';

// Field names for error messages.
const fieldNames = {
  q: '查询内容', assignee_id: '处理人', hold_reason: '挂起原因', summary: '完工说明', charge_fen: '收费', reason: '原因',
  note: '内容', score: '评分', username: '用户名', password: '密码', category: '类别',
  description: '描述', location: '位置', household_id: '住户', appointment: '预约时间', urgency: '紧急程度',
  reporter_phone: '报事人电话', reporter_name: '报事人姓名',
  estate_id: '小区', channel: '来源', amount_fen: '金额', paid_at: '付款时间', reference: '凭证号',
  outcome: '结果', promised_on: '承诺付款日', instalments: '分期', corrected_fen: '更正金额', resolution: '处理意见',
  plan_id: '分期方案', unit_id: '房屋', previous_household_id: '原住户迁出', residents: '入住人员', resident_ids: '入住人员',
  kind: '类型', date: '日期', court: '受理法院', case_no: '案号', confirm: '确认',
  moved_in_at: '入住时间', 'needs.preferred_channel': '偏好联系方式', 'needs.preferred_times': '方便联系的时间', 'needs.notes': '备注',
  // Equipment and inspection plans (设备台账、巡检计划).
  code: '编号', name: '名称', type: '类型', maker: '生产厂家', installed_on: '安装日期', contractor: '维保单位',
  statutory_due_on: '法定检验到期', cadence: '频次', starts_on: '起始日期', at: '时间', checklist: '检查项',
  assignee_role: '负责角色', due_within: '完成时限', active: '启用状态',
};
const residentFields = { name: '姓名', phone: '电话', role: '身份' };
export const fieldName = (f) => {
  const m = /^(residents|resident_ids)\[(\d+)\](?:\.(\w+))?$/.exec(f || '');
  if (m) return `第 ${Number(m[2]) + 1} 位入住人员${m[3] ? '的' + (residentFields[m[3]] || m[3]) : ''}`;
  const c = /^checklist\[(\d+)\]\.text$/.exec(f || '');
  if (c) return `第 ${Number(c[1]) + 1} 个检查项`;
  return fieldNames[f] || f;
};

// Common validation reasons of the API, English → Chinese.
const reasons = [
  [/^required$/, () => '必填'],
  [/^is required$/, () => '必填'],
  [/^must be greater than 0$/, () => '应大于 0'],
  [/^must be at most (\d+)$/, (m) => `不能超过 ${m[1]}`],
  [/^must be at most (\d+) characters$/, (m) => `不能超过 ${m[1]} 个字`],
  [/^must not be in the future$/, () => '不能晚于现在'],
  [/^want a date from (\S+) to (\S+)$/, (m) => `应在 ${m[1]} 到 ${m[2]} 之间`],
  [/^got .*, want a date from (\S+) on$/, (m) => `不能早于 ${m[1]}`],
  [/^got (\S+), want later than the previous instalment's (\S+)$/, (m) => `应晚于上一期（${m[2]}）`],
  [/^got (\d+), want 1 to (\d+)$/, (m) => `期数应为 1 到 ${m[2]}（当前为 ${m[1]}）`],
  [/^got -?\d+, want a positive amount in fen$/, () => '金额应大于 0'],
  [/^got (\S+), want at most (\S+) \((\S+)\)$/, (m) => `当前为 ${dt(m[1])}，不能超过 ${fieldPath(m[2])}（${dt(m[3])}）`],
  [/^got (\S+), want at least (\S+) \((\S+)\)$/, (m) => `当前为 ${dt(m[1])}，不能少于 ${fieldPath(m[2])}（${dt(m[3])}）`],
  [/^got (-?\d+), want (-?\d+)\.\.(-?\d+)$/, (m) => `应在 ${m[2]} 到 ${m[3]} 之间（当前为 ${m[1]}）`],
  [/^got (\S+), want a positive duration$/, (m) => `应为大于 0 的时长（当前为 ${dt(m[1])}）`],
  [/^got (\S+), want 0s or more$/, () => '不能为负'],
  [/^got .*, want a (?:date|time|month) from (\S+) to (\S+)$/, (m) => `应在 ${m[1]} 到 ${m[2]} 之间`],
  [/^got .*, want a date in the years (\d+) to (\d+)$/, (m) => `应在 ${m[1]} 年到 ${m[2]} 年之间`],
  [/^got .*, want a time within (\S+) from now \(until (\S+)\)$/, (m) => `预约时间不能晚于 ${m[2].slice(0, 10)}（${m[1]} 内）`],
  [/^got -?\d+, want a positive amount of at most (\d+) fen$/, (m) => `金额应大于 0，且不超过 ${yuan(m[1])} 元`],
  [/^got a total of (\d+) fen, want from (\d+) \(the principal owed\) to (\d+) \(everything owed\)$/,
    (m) => `分期合计 ${yuan(m[1])} 元，应不少于所欠本金 ${yuan(m[2])} 元、不超过全部欠款 ${yuan(m[3])} 元`],
  [/^got (\d+), want at most the late fee still owed on the bill \((\d+) fen\)$/, (m) => `减免金额不能超过该账单尚欠的滞纳金（${yuan(m[2])} 元）`],
  [/^contains the (?:control|text-direction) character/, () => '含有不允许的控制字符或文字方向字符'],
  [/^got .*, the same as start/, () => '结束时间不能与开始时间相同'],
  [/^got .*, want an IANA time zone/, () => '请填写时区，例如 Asia/Shanghai'],
  [/^got (\S+), want at most (\S+)$/, (m) => `不能超过 ${dt(m[2])}（当前为 ${dt(m[1])}）`],
  [/^must be a phone number such as/, () => '应为手机号（如 13812345678）或座机号（如 0755-12345678）'],
  [/^want an existing household, or unit_id to create one$/, () => '请选择房屋'],
  [/^give household_id or unit_id, not both$/, () => '住户与房屋只能选一项'],
  [/^only with unit_id/, () => '只有按房屋登记时才能让原住户迁出'],
  [/^want at least one resident$/, () => '请至少填写一位入住人员'],
  [/^want at most (\d+) residents$/, (m) => `入住人员不能超过 ${m[1]} 人`],
  [/^want distinct resident ids$/, () => '入住人员不能重复'],
  [/^got .*, want owner or tenant$/, () => '应为业主或租户'],
  [/^want a time within a year before and 90 days after today$/, () => '应在一年前到 90 天后之间'],
  [/^got .*, want sms, wechat, app or phone$/, () => '应为短信、微信、App 或电话'],
  [/^got .*, want a repair milestone: contact, on_site or complete$/, () => '应为联系业主、到场或完工'],
  [/^got "(\w+)" twice, want each milestone once$/, (m) => `“${milestones[m[1]] || m[1]}”重复了，每个时限只能出现一次`],
  [/^got "(\w+)" twice, want each channel once$/, (m) => `“${contactChannels[m[1]] || m[1]}”重复了，每个渠道只能出现一次`],
  [/^got .*, want sms, wechat, app or email$/, () => '应为短信、微信、App 或邮件'],
  [/^got .*, want sms, wecom, email or console$/, () => '应为短信、企业微信、邮件或站内信'],
  [/^want at most (\d+) characters$/, (m) => `不能超过 ${m[1]} 个字`],
  [/^unit \d+ is occupied by household \d+: name it to move it out$/, () => '该房屋已有住户：如为业主或租户变更，请勾选“原住户迁出”'],
  [/^got \d+, want \d+, the household living in unit \d+$/, () => '所选原住户已不是该房屋的现住户，请重新选择房屋'],
  [/^unit \d+ has no active household to move out$/, () => '该房屋没有现住户，无需迁出'],
  [/^household \d+ has registered its move-in already$/, () => '该住户已登记过入住'],
  [/^household \d+ has moved out$/, () => '该住户已迁出'],
  [/^no (?:unit|household|resident of the household) \d+$/, () => '不存在，或不属于您所在的小区'],
  [/^must be a whole number from 1 to \d+$/, () => '应为正整数'],
  [/^must be at least (\d+)$/, (m) => `不能少于 ${m[1]}`],
  [/^must be a whole number$/, () => '应为整数'],
  [/^must be true or false$/, () => '应为“是”或“否”'],
  [/^must be a string$/, () => '应为文字'],
  [/^must be a list$/, () => '应为列表'],
  [/^must be an object$/, () => '格式不对'],
  [/^must be (.+)$/, (m) => `格式不对，应为 ${m[1]}`],
  [/^want 1 to 50 characters$/, () => '应为 1 到 50 个字'],
  [/^want a household or a common-area location$/, () => '请选择住户，或填写公共区域位置'],
  [/^only normal repairs take an appointment$/, () => '只有一般报修可以预约时间'],
  [/^got .*, want a time not in the past$/, () => '预约时间不能早于现在'],
  [/^no active staff \d+ who can take this work in the estate$/, () => '该小区没有这名可接手的在岗员工'],
  [/^must differ from the current password$/, () => '新密码不能与当前密码相同'],
  [/^is wrong$/, () => '不正确'],
  [/^change your own password with PUT \/api\/v1\/me\/password$/, () => '自己的密码请通过修改密码接口（PUT /api/v1/me/password）修改，需输入当前密码'],
  [/duration "(.*)": must not be negative/, () => '时长不能为负'],
  [/duration "(.*)": out of range/, () => '时长太长'],
  [/duration "([^"]*)": /, (m) => `“${m[1]}”不是有效的时长，请填写数字并选择单位（分钟、小时、天）`],
  [/^empty duration/, () => '时长不能为空，请填写数字并选择单位（分钟、小时、天）'],
  [/^got (\d+), want 1 to 5$/, (m) => `评分应为 1 到 5（当前为 ${m[1]}）`],
  ...policyReasons(),
  // Outages and notices (停水停电通知与公告).
  [/^got (\S+), want no earlier than (\S+) \(notice (\S+) ahead\), unless an emergency declared by a manager$/,
    (m) => `不能早于 ${dt(m[2])}（停水停电须提前 ${m[3]} 通知）；特别紧急的情况请项目经理登记为紧急`],
  [/^got \S+, want a time not in the past$/, () => '不能早于现在'],
  [/^got \S+, want a time after starts_at$/, () => '应晚于开始时间'],
  [/^got \S+, want a time after publish_at$/, () => '应晚于发布时间'],
  [/^want (\d+) to (\d+) buildings$/, (m) => `请填写 ${m[1]} 到 ${m[2]} 个楼栋`],
  // Equipment and inspection plans (设备台账、巡检计划).
  [/^want 1 to (\d+) characters$/, (m) => `应为 1 到 ${m[1]} 个字`],
  [/^want at most (\d+) characters$/, (m) => `不能超过 ${m[1]} 个字`],
  [/^want 1 to (\d+) items$/, (m) => `请填写 1 到 ${m[1]} 个检查项`],
  [/^want a staff role or an assignee_id$/, () => '请选择负责角色或负责人'],
  [/^got \S+, want a date not in the future$/, () => '不能晚于今天'],
  [/^got \S+, want a time from (\S+) to (\S+)$/, (m) => `应在 ${m[1]} 到 ${m[2]} 之间`],
  [/^got .*, want lift, pump, fire, gate, generator or other$/, () => '请选择设备类型'],
];
const pathNames = { on_site: '到场时限', contact: '联系时限', complete: '完工时限', acknowledge: '受理时限', answer: '答复时限', resolve: '解决时限', workday_start: '上班时间', workday_end: '下班时间', formal_notice_period: '书面催告期' };
const fieldPath = (p) => pathNames[p] || p;
const yuan = (fen) => (Number(fen) / 100).toFixed(2);

// The reasons of the policy's validation (models/policy_validate.go).
function policyReasons() {
  const list = (codes, map) => codes.split(/[\s,]+/).filter(Boolean).map((c) => label(map, c)).join('、');
  const act = (code) => label(dunningActions, code);
  const clocks = { workday_start: '上班时间', workday_end: '下班时间' };
  return [
    // The server's reasons are in Chinese; these name its codes and
    // durations the way the page does (10m → 10分钟).
    [/^(\S+) 无效，不能(超过|短于)(到场|受理|答复)时限 \w+（(\S+)）$/, (m) => `不能${m[2]}${m[3]}时限 ${dt(m[4])}（当前为 ${dt(m[1])}）`],
    [/^(\S+) 无效，不能超过 (\S+)$/, (m) => `不能超过 ${dt(m[2])}（当前为 ${dt(m[1])}）`],
    [/^(-?\S+) 无效，应为 (\S+) 至 (\S+)$/, (m) => `应在 ${dt(m[2])} 到 ${dt(m[3])} 之间（当前为 ${dt(m[1])}）`],
    [/^(-?\S+) 无效，应为正的时长$/, (m) => `应为大于 0 的时长（当前为 ${dt(m[1])}）`],
    [/^got a second "(\w+)" tier, want one tier per urgency$/, (m) => `“${label(urgencies, m[1])}”重复了，每个紧急程度只能有一行`],
    [/^got no "(\w+)" tier, want one tier per urgency$/, (m) => `缺少“${label(urgencies, m[1])}”，每个紧急程度都要有一行`],
    [/^got (\S+), want 0s \(the default, (\S+)\) up to (\S+)$/, (m) => `应在 0（即默认的 ${dt(m[2])}）到 ${dt(m[3])} 之间（当前为 ${dt(m[1])}）`],
    [/^got (\S+), want 0s \(the default\) up to (\S+)$/, (m) => `应在 0（即默认）到 ${dt(m[2])} 之间（当前为 ${dt(m[1])}）`],
    [/^want an https:\/\/ address of at most (\d+) characters \(or empty\)$/, (m) => `应为加密（安全）的网页地址，最多 ${m[1]} 个字符，或留空`],
    [/^got ".*", want critical, urgent or normal$/, () => '请选择紧急程度'],
    [/^got true for "(\w+)", want a fixed on_site window/, (m) => `只有“一般”可以当日到场，“${label(urgencies, m[1])}”须填写到场时限`],
    [/^got \S+ with on_site_same_day, want 0s$/, () => '已选当日到场，到场时限应为 0'],
    [/^got no levels, want at least one$/, () => '至少要有一级'],
    [/^got -?\d+, want (\d+): levels are numbered/, (m) => `级别应为 ${m[1]}（按 1、2、3…顺序编号）`],
    [/^got ".*", want a staff role$/, () => '请选择角色'],
    [/^got (\S+), want 0s up to (\S+)$/, (m) => `应在 0 到 ${dt(m[2])} 之间（当前为 ${dt(m[1])}）`],
    [/^got (\S+), want (\S+) up to (\S+)$/, (m) => `应在 ${dt(m[2])} 到 ${dt(m[3])} 之间（当前为 ${dt(m[1])}）`],
    [/^got ".*", want a clock time HH:MM$/, () => '请填写时间，如 08:30'],
    [/^got ".*", want a clock time 00:00\.\.23:59$/, () => '时间应在 00:00 到 23:59 之间'],
    [/^got \S+, want after (\w+) \((\S+)\) and at or before (\w+) \((\S+)\)$/, (m) => `应晚于${clocks[m[1]]}（${m[2]}），且不晚于${clocks[m[3]]}（${m[4]}）`],
    [/^got \S+, want after (\w+) \((\S+)\)$/, (m) => `应晚于${clocks[m[1]]}（${m[2]}）`],
    [/^got \S+, want at or before (\w+) \((\S+)\)$/, (m) => `不能晚于${clocks[m[1]]}（${m[2]}）`],
    [/^got none, want at least one working weekday$/, () => '至少选择一个工作日'],
    [/^got -?\d+, want a weekday/, () => '应为周日到周六中的一天'],
    [/^got \d+ twice, want each weekday once$/, () => '每个工作日只能选一次'],
    [/^got "(.*)", want a date YYYY-MM-DD$/, (m) => `“${m[1]}”不是有效的日期，请写成如 2026-10-01`],
    [/^got (\d+) twice, want each day once$/, (m) => `${m[1]} 天重复了，每个天数只能填一次`],
    [/^got ".*", want "principal_first" or "late_fee_first"$/, () => '请选择冲抵顺序'],
    [/^got no steps, want at least one$/, () => '至少要有一步'],
    [/^got (\S+), want more than the previous step's (\S+)$/, (m) => `应长于上一步的 ${dt(m[2])}（当前为 ${dt(m[1])}）`],
    [/^got legal_referral at step \d+ of \d+, want it last$/, () => '转法务只能是最后一步'],
    [/^got legal_referral without an earlier formal_notice/, () => '转法务之前须先有一步书面催告（《民法典》第九百四十四条）'],
    [/^got (\S+) after the formal notice when fast-tracked at (\d+)%, want at least formal_notice_period \((\S+)\)$/,
      (m) => `加速催缴（间隔缩短为 ${m[2]}%）时，书面催告后仅 ${dt(m[1])} 就转法务，应不少于书面催告期 ${dt(m[3])}`],
    [/^got ".*", want message, phone_call, visit, formal_notice or legal_referral$/, () => '请选择催缴动作'],
    [/^got ".*", want none for (\w+)$/, (m) => `${act(m[1])}不需要渠道`],
    [/^got ".*", want one of \[(.*)\] for (\w+)$/, (m) => `${act(m[2])}的渠道应为：${list(m[1], contactChannels)}`],
    [/^got none, want the staff role that performs the (\w+)$/, (m) => `请选择执行“${act(m[1])}”的角色`],
    [/^got ".*", want one of \[(.*)\]$/, (m) => `请选择模板：${list(m[1], messageTemplates)}`],
    [/^got ".*", want none: only message steps send a template$/, () => '只有消息提醒需要模板'],
    [/^got (\S+), want before the window's end \((\S+)\)$/, (m) => `应早于回访期限 ${dt(m[2])}（当前为 ${dt(m[1])}）`],
    [/^got (\S+), want more than the previous reminder's (\S+)$/, (m) => `应晚于上一次提醒（${dt(m[2])}）`],
    // Outages and notices (停水停电通知与公告).
    [/^got ".*", want water, power, gas or lift$/, () => '请选择停运类型（停水、停电、停气、电梯停运）'],
    [/^got ".*" twice, want each utility once$/, () => '每种停运类型只能填一行'],
    [/^want 1 to (\d+) categories$/, (m) => `请填写 1 到 ${m[1]} 个报修类别`],
    [/^got (\S+), want less than the outage lead \((\S+)\)$/, (m) => `应短于提前通知时间（${dt(m[2])}），当前为 ${dt(m[1])}`],
    // Inspections (巡检/维保), contracts and surveys (满意度调查).
    [/^got "(\w+)" twice, want each cadence once$/, (m) => `“${cadences[m[1]] || m[1]}”重复了，每个频次只能有一行`],
    [/^got "(\w+)" twice, want each severity once$/, (m) => `“${severities[m[1]] || m[1]}”重复了，每个隐患等级只能有一行`],
    [/^got .*, want daily, weekly, monthly, quarterly or yearly$/, () => '请选择频次（每日、每周、每月、每季度或每年）'],
    [/^got .*, want major, moderate or minor$/, () => '请选择隐患等级（重大、较大或一般）'],
    [/^got (\d+), want fewer days than the previous (?:warning|reminder)'s (\d+)$/, (m) => `应少于上一次提醒的 ${m[2]} 天（当前为 ${m[1]} 天），请从多到少填写`],
    [/^got .*, want complaint, visit or none$/, () => '请选择低分后的处理（投诉工单、回访或仅统计）'],
    [/^got .*, want repair, cleaning, security, greening or customer_service$/, () => '请选择服务领域（维修、保洁、安保、绿化或客服）'],
    [/^got "(.*)" twice$/, (m) => `“${m[1]}”重复了`],
    [/^got (\S+), want at least an hour after send_from (\S+)$/, (m) => `应比发送时段开始（${m[2]}）至少晚一小时（当前为 ${m[1]}）`],
    [/^got (\S+), want before min_open's (\S+), so that every campaign sends it$/, (m) => `应早于调查最短开放时长 ${dt(m[2])}，每次调查才都能发出（当前为 ${dt(m[1])}）`],
    [/^got (\S+), want at least min_open's (\S+)$/, (m) => `不能短于调查最短开放时长 ${dt(m[2])}（当前为 ${dt(m[1])}）`],
    [/^got (-?\S+), want (\S+) to (\S+)$/, (m) => `应在 ${dt(m[2])} 到 ${dt(m[3])} 之间（当前为 ${dt(m[1])}）`],
  ];
}
const cadences = { daily: '每日', weekly: '每周', monthly: '每月', quarterly: '每季度', yearly: '每年' };
const severities = { major: '重大隐患', moderate: '较大隐患', minor: '一般隐患' };

/** Translates a validation reason when it is a common one. */
export function reason(msg) {
  const stripped = (msg || '').replace(/^[a-z_]+: /, '');
  for (const [re, fn] of reasons) {
    const m = stripped.match(re);
    if (m) return fn(m);
  }
  return /[\u4e00-\u9fff]/.test(stripped) ? plainChinese(stripped) : msg;
}

// codeNames are the Chinese names of the codes a server's reason may name.
const codeNames = {
  ...kinds, ...urgencies, ...milestones, ...contactChannels, ...dunningActions, ...messageTemplates, ...pathNames,
  ...cadences, ...severities,
  cadence: '频次', severity: '隐患等级', water: '停水', power: '停电', gas: '停气', lift: '电梯停运',
};

// plainChinese says a server's Chinese reason in the page's words: a code
// named with its Chinese name ("critical（特急）") becomes the name, a code
// given beside a Chinese term ("到场时限 on_site", "（on_site_same_day）")
// is dropped, and a duration in the API's notation ("59m", "0s") reads as
// the page writes it (59分钟). What the person typed, quoted “…”, stays.
function plainChinese(text) {
  const quoted = [];
  let out = text.replace(/“[^”]*”/g, (q) => { quoted.push(q); return `\u0000${quoted.length - 1}\u0000`; });
  out = out
    .replace(/HH:MM 格式的时间/g, '“时:分”格式的时间，如 08:30')
    .replace(/YYYY-MM-DD 格式的日期/g, '“年-月-日”格式的日期，如 2026-01-31')
    .replace(/[A-Za-z][A-Za-z_0-9]*（([^）A-Za-z]+)）/g, '$1')
    .replace(/（[a-z][a-z_0-9]*）/g, '')
    .replace(/(^|[^A-Za-z0-9.])(-?\d+(?:\.\d+)?(?:ns|µs|us|ms|s|m|h|d))+(?![A-Za-z])/g, (all, pre) => pre + dt(all.slice(pre.length)))
    .replace(/\[([a-z_ ]+)\] 之一/g, (_, list) => `${list.split(' ').map((c) => codeNames[c] || c).join('、')} 之一`)
    .replace(/\b[a-z][a-z0-9]*(?:_[a-z0-9]+)*\b/g, (c) => codeNames[c] ?? c)
    .replace(/ ?\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, '')
    .replace(/（(?:[a-z]+)）/g, '');
  out = out.replace(/([\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])/g, '$1');
  return out.replace(/\u0000(\d+)\u0000/g, (_, i) => quoted[Number(i)]);
}

// States a bill's refusals name (409 invalid_state).
const billStates = { disputed: '异议处理中', dispute_window_closed: '已过异议期' };
// States an equipment's or a plan's refusals name (409 invalid_state).
const recordStates = { inactive: '已停用', retired: '已报废' };

// said is a refusal's own reason in the page's words when it has one to
// give staff (one in Chinese, or one reason() knows), else undefined: the
// caller then says its general line.
function said(message) {
  const r = reason(message);
  return r !== message || /[\u4e00-\u9fff]/.test(message || '') ? r : undefined;
}

/** Explains an ApiError in Chinese. */
export function explain(err) {
  if (!err || err.status === undefined) return String(err && err.message || err);
  switch (err.code) {
    case 'invalid_state': return `当前状态（${[statuses, stages, billStates, recordStates].map((m) => m[err.state]).find(Boolean) || err.state}）不允许此操作：${err.message}`;
    case 'forbidden': return said(err.message) ?? '您的角色无权执行此操作';
    case 'not_found': return '未找到（可能不属于您所在的小区）';
    case 'conflict': return '记录已被他人修改或已存在，请刷新后再试';
    case 'idempotency_key_reused': return '这次提交与先前一次使用了同一个请求编号但内容不同，请刷新后重新提交';
    case 'unauthorized': return said(err.message) ?? '请重新登录';
    case 'invalid_input': return `${fieldName(err.field)}：${reason(err.message)}`;
    case 'unavailable': return '后台服务暂不可用，请稍后再试';
    case 'timeout': return '请求超时，操作可能仍会完成，请稍后刷新';
    case 'too_many_attempts': return reason(err.message);
    case 'network': return err.message;
  }
  return '出错了，请稍后再试';
}
