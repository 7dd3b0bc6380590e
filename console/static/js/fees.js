// Fees (收费): the estate's fee standards (收费标准) and their versions, meter
// readings (抄表) with the ones held for review, the monthly billing run
// (preview, then issue) and one bill's lines with its credit and debit
// notes. Pages under #/finance/…; the server refuses what a role may not do.
import { get, post, qs } from './api.js';
import { h, fill, field, select, showError, clearErrors, toast, fmtYuan, yuanToFen, civil } from './ui.js';
import { session, go } from './session.js';
import { periodName } from './arrears.js';

/** Roles that set standards and record readings (api feeRoles). */
export const feeRoles = ['finance', 'estate_manager', 'company_admin'];
/** Roles that issue bills, accept readings and write notes (api financeRoles). */
export const financeRoles = ['finance', 'company_admin'];

const methods = { per_area: '按面积（元/m²·月）', per_unit: '按户（元/户·月）', per_space: '按车位（元/个·月）', metered: '按抄表用量' };
const meterKinds = { water: '水', electricity: '电', gas: '燃气' };
const propertyTypes = { residential: '住宅', shop: '商铺', office: '办公', parking: '车位', storage: '储藏室' };
const readingStatuses = { ok: '正常', flagged: '待复核', accepted: '已确认' };
const flagReasons = { below_previous: '读数低于上期', above_average: '用量超过近期平均的倍数', no_previous: '首次抄表，缺上期读数' };
const skipReasons = {
  already_billed: '本期已出账', undelivered: '未交付，不收费', no_standard: '无适用收费标准', reading_missing: '缺少抄表读数',
  reading_flagged: '读数待复核', zero_amount: '金额为 0', amount_invalid: '金额超出上限',
};

const estateOf = () => session.estateId || (session.estates[0] && session.estates[0].id) || 0;
/** "2026-03": the month before this one, the period a run usually bills. */
const lastMonth = () => {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
};
const thisMonth = () => new Date().toISOString().slice(0, 7);
/** "¥2.35" for a unit price the API gives in yuan with four decimals. */
const fmtPrice = (p) => `¥${String(p).replace(/(\.\d\d\d*?)0+$/, '$1')}`;
/** "89.35" for a quantity the API gives with three decimals ("89.350"). */
const qty = (q) => { const s = String(q); return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s; };
/** The version of std in force for period (the latest-starting that covers it). */
const versionFor = (std, period) => std.versions.filter((v) => v.valid_from <= period && (!v.valid_to || period <= v.valid_to))
  .sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1))[0];
const priceUnit = (std) => ({ per_area: '/m²', per_unit: '/户', per_space: '/个', metered: std.meter_kind === 'electricity' ? '/kWh' : '/m³' }[std.method]);

/** The fields of a version (price and terms), shared by both forms. */
function versionFields() {
  return [
    field('单价（元，至多 4 位小数）', h('input', { name: 'unit_price', size: 10, inputMode: 'decimal', required: true })),
    h('fieldset.f', { dataset: { path: 'property_types' } }, h('legend', '适用物业类型'),
      Object.entries(propertyTypes).map(([k, v]) => h('label.f.inline', h('input', { type: 'checkbox', name: 'pt', value: k, checked: k === 'residential' }), v))),
    field('空置房按（%）', h('input', { name: 'vacant_percent', type: 'number', min: '0', max: '100', value: '100', size: 4 })),
    field('生效月份', h('input', { name: 'valid_from', type: 'month', value: thisMonth(), required: true })),
    field('截止月份（可空）', h('input', { name: 'valid_to', type: 'month' })),
  ];
}
function readVersion(form) {
  return {
    unit_price: form.unit_price.value.trim(),
    property_types: [...form.querySelectorAll('input[name=pt]:checked')].map((x) => x.value),
    vacant_percent: Number(form.vacant_percent.value || 100),
    valid_from: form.valid_from.value, valid_to: form.valid_to.value,
  };
}

export async function standardsPage(view) {
  const estateId = estateOf();
  const l = await get('/fee-standards' + qs({ estate_id: estateId, page_size: 200 }));
  const now = thisMonth();
  const canEdit = session.has(...feeRoles);
  const add = h('form.card#new-standard', { hidden: !canEdit },
    h('h2', '新增收费标准'),
    field('名称', h('input', { name: 'name', size: 12, placeholder: '如 物业服务费', required: true })),
    field('计费方式', select('method', methods, 'per_area')),
    field('表类（按抄表时）', select('meter_kind', meterKinds, '', '—')),
    versionFields(),
    h('button', { type: 'submit' }, '保存'));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(add);
    try {
      await post('/fee-standards', { estate_id: estateId, name: add.name.value.trim(), method: add.method.value, meter_kind: add.meter_kind.value, ...readVersion(add) });
      toast('已新增收费标准');
      standardsPage(view);
    } catch (err) { showError(add, err); }
  });
  const rows = l.items.map((std) => {
    const cur = versionFor(std, now);
    const change = h('form.inline', { hidden: true, dataset: { standard: std.id } }, versionFields(), h('button', { type: 'submit' }, '保存新版本'));
    change.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(change);
      try {
        await post(`/fee-standards/${std.id}/versions`, readVersion(change));
        toast('已调整价格');
        standardsPage(view);
      } catch (err) { showError(change, err); }
    });
    return [
      h('tr', { dataset: { name: std.name } },
        h('td', std.name),
        h('td', methods[std.method] + (std.meter_kind ? `（${meterKinds[std.meter_kind]}）` : '')),
        h('td.num.price', cur ? fmtPrice(cur.unit_price) + priceUnit(std) : h('span.muted', '本月无有效版本')),
        h('td', cur ? cur.property_types.map((t) => propertyTypes[t] || t).join('、') : ''),
        h('td', cur && cur.vacant_percent !== 100 ? `空置 ${cur.vacant_percent}%` : ''),
        h('td.versions', std.versions.map((v) => h('div', `第 ${v.version} 版 ${v.valid_from} 起${v.valid_to ? ` 至 ${v.valid_to}` : ''}：${fmtPrice(v.unit_price)}`))),
        h('td', canEdit ? h('button.link', { type: 'button', onclick: () => { change.hidden = !change.hidden; } }, '调价') : null)),
      h('tr.sub', h('td', { colspan: 7 }, change)),
    ];
  });
  fill(view,
    h('div.row.head', h('h1', '收费标准'), h('a', { href: '#/finance/readings' }, '抄表'), h('a', { href: '#/finance/billing' }, '出账')),
    add,
    h('div.card', l.items.length ? h('div.table-wrap', h('table.list#standards',
      h('thead', h('tr', ['名称', '计费方式', '当前单价', '适用', '空置', '版本', ''].map((x) => h('th', x)))), h('tbody', rows)))
      : h('p.muted', '还没有收费标准')));
}

export async function readingsPage(view, { params }) {
  const estateId = estateOf();
  const period = /^\d{4}-\d{2}$/.test(params.get('period') || '') ? params.get('period') : lastMonth();
  const [l, hh] = await Promise.all([
    get('/meter-readings' + qs({ estate_id: estateId, period, page_size: 200 })),
    get('/households' + qs({ estate_id: estateId, page_size: 200 })),
  ]);
  const units = new Map((hh.items || []).map((x) => [x.unit_id, `${x.building} ${x.unit_number}`]));
  const form = h('form.card#new-reading', { hidden: !session.has(...feeRoles) },
    h('h2', '录入读数'),
    field('房屋', select('unit_id', Object.fromEntries(units), '', '请选择')),
    field('表类', select('kind', meterKinds, 'water')),
    field('账期', h('input', { name: 'period', type: 'month', value: period })),
    field('本期读数', h('input', { name: 'value', size: 10, inputMode: 'decimal', required: true })),
    field('上期读数（首次抄表时）', h('input', { name: 'previous', size: 10, inputMode: 'decimal', value: '0' })),
    h('button', { type: 'submit' }, '保存'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const r = await post('/meter-readings', { unit_id: Number(form.unit_id.value), kind: form.kind.value, period: form.period.value,
        value: form.value.value.trim(), previous: form.previous.value.trim() || '0' });
      toast(r.status === 'flagged' ? `已保存，读数待复核：${flagReasons[r.flag_reason] || r.flag_reason}` : '已保存');
      go(`#/finance/readings?period=${form.period.value}`);
      readingsPage(view, { params: new URLSearchParams({ period: form.period.value }) });
    } catch (err) { showError(form, err); }
  });
  const canAccept = session.has(...financeRoles);
  const rows = l.items.map((r) => {
    const fix = h('input', { name: 'value', size: 8, inputMode: 'decimal', placeholder: '更正读数（可空）' });
    const accept = h('form.inline', { dataset: { reading: r.id } }, fix, h('button', { type: 'submit' }, '确认'));
    accept.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(accept);
      try {
        await post(`/meter-readings/${r.id}/accept`, fix.value.trim() ? { value: fix.value.trim() } : {});
        toast('已确认读数');
        readingsPage(view, { params: new URLSearchParams({ period }) });
      } catch (err) { showError(accept, err); }
    });
    return h(`tr${r.status === 'flagged' ? '.flagged' : ''}`, { dataset: { unit: r.unit_id, status: r.status } },
      h('td', units.get(r.unit_id) || `房屋 #${r.unit_id}`), h('td', meterKinds[r.kind] || r.kind), h('td', periodName(r.period)),
      h('td.num', qty(r.previous)), h('td.num', qty(r.value)), h('td.num', qty(r.consumption)),
      h('td', readingStatuses[r.status] || r.status, r.flag_reason ? h('div.muted', flagReasons[r.flag_reason] || r.flag_reason) : null),
      h('td', r.status === 'flagged' && canAccept ? accept : null));
  });
  fill(view,
    h('div.row.head', h('h1', `${periodName(period)}抄表`), h('a', { href: '#/finance/standards' }, '收费标准'), h('a', { href: '#/finance/billing' }, '出账')),
    form,
    h('div.card', l.items.length ? h('div.table-wrap', h('table.list#readings',
      h('thead', h('tr', ['房屋', '表类', '账期', '上期', '本期', '用量', '状态', ''].map((x) => h('th', x)))), h('tbody', rows)))
      : h('p.muted', '本期还没有读数')));
}

/** The lines of a bill or a preview row, one per line. */
const lineCells = (lines) => lines.map((l) => h('div.line', `${l.item_name}：${qty(l.quantity)} ${l.quantity_unit} × ${fmtPrice(l.unit_price)}`,
  l.percent !== 100 ? ` × ${l.percent}%` : '', ` = ${fmtYuan(l.amount_fen)}`));

export async function billingPage(view, { params }) {
  const estateId = estateOf();
  const period = /^\d{4}-\d{2}$/.test(params.get('period') || '') ? params.get('period') : lastMonth();
  const out = h('div#billing-preview');
  const form = h('form.card#billing-form', field('账期', h('input', { name: 'period', type: 'month', value: period })),
    h('button', { type: 'submit' }, '预览'));
  const show = async () => {
    clearErrors(form);
    let p;
    try {
      p = await post('/billing-runs/preview', { estate_id: estateId, period: form.period.value });
    } catch (err) { showError(form, err); return; }
    const issue = h('button#issue', { type: 'button', disabled: !p.households.length || !session.has(...financeRoles) }, `出账（${p.households.length} 户，${fmtYuan(p.total_fen)}）`);
    issue.addEventListener('click', async () => {
      issue.disabled = true;
      try {
        const run = await post('/billing-runs', { estate_id: estateId, period: form.period.value });
        toast(`已出账 ${run.created} 张`);
        fill(out, h('div.card#billing-result', h('p', `已出账 ${run.created} 张，已有 ${run.existing} 张，未出账 ${run.no_items} 户。`),
          h('ul', run.bill_ids.slice(0, 50).map((id) => h('li', h('a', { href: `#/finance/bills/${id}` }, `账单 #${id}`))))));
      } catch (err) { issue.disabled = false; showError(form, err); }
    });
    fill(out,
      h('div.card', h('h2', '按项目合计'), h('table.list#preview-items', h('thead', h('tr', h('th', '项目'), h('th.num', '户数'), h('th.num', '金额'))),
        h('tbody', p.items.map((i) => h('tr', h('td', i.name), h('td.num', i.households), h('td.num', fmtYuan(i.amount_fen)))),
          h('tr.total', h('td', '合计'), h('td.num', p.households.length), h('td.num', fmtYuan(p.total_fen)))))),
      h('div.card', h('h2', `将出账 ${p.households.length} 户`), issue,
        p.households.length ? h('div.table-wrap', h('table.list#preview-households', h('thead', h('tr', h('th', '住户'), h('th', '明细'), h('th.num', '金额'))),
          h('tbody', p.households.slice(0, 200).map((c) => h('tr', h('td', c.label || `住户 #${c.household_id}`), h('td', lineCells(c.lines)), h('td.num', fmtYuan(c.amount_fen))))))) : null,
        p.households.length > 200 ? h('p.muted', `仅显示前 200 户`) : null),
      h('div.card', h('h2', `不出账 ${p.skipped.length} 户`),
        p.skipped.length ? h('div.table-wrap', h('table.list#preview-skipped', h('thead', h('tr', h('th', '住户'), h('th', '原因'))),
          h('tbody', p.skipped.slice(0, 200).map((s) => h('tr', h('td', s.label || `住户 #${s.household_id}`),
            h('td', skipReasons[s.reason] || s.reason, s.item ? `（${s.item}）` : '')))))) : h('p.muted', '无')));
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); show(); });
  fill(view,
    h('div.row.head', h('h1', '出账'), h('a', { href: '#/finance/standards' }, '收费标准'), h('a', { href: '#/finance/readings' }, '抄表')),
    form, out);
  if (params.get('period')) show();
}

export async function billPage(view, { match }) {
  const id = Number(match[1]);
  const [b, notes] = await Promise.all([get(`/bills/${id}`), get(`/bills/${id}/adjustments`)]);
  const lines = b.lines || [];
  const form = h('form.card#adjust', { hidden: !session.has(...financeRoles) }, h('h2', '开具红字冲减 / 补收'),
    field('金额（元，冲减填负数）', h('input', { name: 'amount', size: 10, required: true })),
    field('原因', h('input', { name: 'reason', size: 30, required: true })),
    h('button', { type: 'submit' }, '保存'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const text = form.amount.value.trim();
    const fen = yuanToFen(text.replace(/^-/, ''));
    if (fen === null) { showError(form, { code: 'invalid_input', field: 'amount', message: '请填写金额，如 -12.50' }); return; }
    try {
      await post(`/bills/${id}/adjustments`, { amount_fen: text.startsWith('-') ? -fen : fen, reason: form.reason.value.trim() });
      toast('已保存');
      billPage(view, { match });
    } catch (err) { showError(form, err); }
  });
  fill(view,
    h('div.row.head', h('h1', `${periodName(b.period)}账单 #${b.id}`), h('a', { href: `#/arrears/${b.household_id}` }, '欠费详情')),
    h('div.card', h('p', `金额 ${fmtYuan(b.amount_fen)}`, b.adjusted_fen ? `，调整 ${fmtYuan(b.adjusted_fen)}，应收 ${fmtYuan(b.amount_fen + b.adjusted_fen)}` : '',
      `，到期日 ${civil(b.due_on)}`),
    lines.length ? h('div.table-wrap', h('table.list#bill-items',
      h('thead', h('tr', ['项目', '数量', '单价', '比例', '金额'].map((x) => h('th', x)))),
      h('tbody', lines.map((l) => h('tr', h('td', l.item_name, l.standard_version ? h('span.muted', `（第 ${l.standard_version} 版）`) : ''),
        h('td.num', `${qty(l.quantity)} ${l.quantity_unit}`), h('td.num', fmtPrice(l.unit_price)), h('td.num', `${l.percent}%`), h('td.num', fmtYuan(l.amount_fen))))),
      h('tfoot', h('tr', h('td', { colspan: 4 }, '合计'), h('td.num', fmtYuan(b.amount_fen)))))) : h('p.muted', '此账单按总额开具，无明细')),
    h('div.card', h('h2', '调整记录'), notes.length ? h('ul#adjustments', notes.map((n) => h('li', `${fmtYuan(n.amount_fen)}：${n.reason}`))) : h('p.muted', '无')),
    form);
}
