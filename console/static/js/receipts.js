// A receipt (收据) as it prints, on A5 (the default) or A4: the estate, the
// number, the payer and address, the bills the payment settled, the amount
// in figures and in words (大写), the channel, the time and the cashier. A
// voided receipt keeps its number and prints 已作废 with the reason, who and
// when. Above it, never printed: the paper size, print, void and reissue.
import { get, post } from './api.js';
import { h, fill, fmtYuan, toast, showError, table } from './ui.js';
import { payChannels } from './labels.js';
import { session, go } from './session.js';

/** Who voids and reissues receipts (the API's voidRoles). */
const voiders = ['finance', 'estate_manager', 'company_admin'];

const yuan = (fen) => fmtYuan(fen).replace('¥', '');

/** "2026年12月5日 14:03" in the estate's zone. */
function longTime(iso, tz) {
  if (!iso) return '';
  const p = Object.fromEntries(new Intl.DateTimeFormat('zh-CN', { timeZone: tz || 'Asia/Shanghai', year: 'numeric', month: 'numeric',
    day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return `${p.year}年${p.month}月${p.day}日 ${p.hour}:${p.minute}`;
}

/** The lines of the items table: each bill settled, then any credit. */
function itemRows(r) {
  if (!r.items.length) return [h('tr', h('td', '物业服务费'), h('td.num', yuan(r.amount_fen)))];
  return r.items.map((x) => {
    if (!x.bill_id) return h('tr', h('td', '预存（余款留存账户）'), h('td.num', yuan(x.amount_fen)));
    const fee = x.late_fee_fen ? `（含滞纳金 ${yuan(x.late_fee_fen)} 元）` : '';
    return h('tr', h('td', `${x.period} 物业服务费${fee}`), h('td.num', yuan(x.amount_fen)));
  });
}

export async function receiptPage(view, { match }) {
  const id = Number(match[1]);
  const r = await get(`/receipts/${id}`);
  const tz = (session.estate(r.estate_id) || {}).time_zone;
  const size = sessionStorage.getItem('wuye.receipt.size') === 'a4' ? 'a4' : 'a5';
  const voided = Boolean(r.voided_at);
  const page = h(`article.receipt-page.${size}#receipt`,
    h('header.receipt-head', h('div.company#receipt-estate', r.estate_name), h('h1.receipt-title', '收　据'),
      h('div.receipt-no', '№ ', h('b#receipt-number', r.number))),
    voided ? h('div.receipt-void#receipt-void', h('div.stamp', '已作废'),
      h('div', `作废原因：${r.void_reason}`), h('div', `作废人：${r.voided_by_name || ''}　作废时间：${longTime(r.voided_at, tz)}`)) : null,
    // Each value carries its name (data-label) too: on a phone the rows
    // stack as labelled lines instead of a four-column grid (app.css).
    h('table.receipt-meta', h('tbody',
      h('tr', h('th', '交款人'), h('td#receipt-payer', { dataset: { label: '交款人' } }, r.payer || '—'),
        h('th', '房号'), h('td#receipt-address', { dataset: { label: '房号' } }, r.address)),
      h('tr', h('th', '收款方式'), h('td#receipt-channel', { dataset: { label: '收款方式' } }, payChannels[r.channel] || r.channel),
        h('th', '收款时间'), h('td', { dataset: { label: '收款时间' } }, longTime(r.paid_at, tz))),
      h('tr', h('th', '交易号'), h('td', { colSpan: 3, dataset: { label: '交易号' } }, r.reference)))),
    h('table.receipt-items', h('thead', h('tr', h('th', '收费项目'), h('th', '金额（元）'))), h('tbody', itemRows(r))),
    h('p.receipt-total#receipt-total', '合计人民币（大写）', h('b#receipt-words', r.amount_in_words), '　¥', h('b#receipt-figures', yuan(r.amount_fen))),
    h('footer.receipt-sign', h('div', `收款人：${r.cashier || ''}`), h('div', `开具时间：${longTime(r.issued_at, tz)}`), h('div.seal-box', '（收款单位盖章）')));

  const form = h('form.row.no-print#receipt-void-form', { hidden: true },
    h('input', { name: 'reason', placeholder: '作废原因（必填）', maxLength: 500, required: true }),
    h('button', { type: 'submit' }, '确认作废'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await post(`/receipts/${id}/void`, { reason: form.reason.value.trim() });
      toast('收据已作废');
      go(`#/finance/receipts/${id}`);
    } catch (err) { showError(form, err); }
  });
  const reissue = async () => {
    try {
      const n = await post(`/receipts/${id}/reissue`);
      toast(`已重开收据 ${n.number}`);
      go(`#/finance/receipts/${n.id}`);
    } catch (err) { showError(bar, err); }
  };
  const sizeBtn = (s, text) => h(`button#receipt-${s}`, { type: 'button', 'aria-pressed': String(s === size), onclick: () => {
    sessionStorage.setItem('wuye.receipt.size', s);
    page.classList.remove('a4', 'a5');
    page.classList.add(s);
  } }, text);
  const can = session.has(...voiders);
  const bar = h('div.card.no-print#receipt-bar',
    h('div.row', h('b', `收据 ${r.number}`), voided ? h('span.badge.err#receipt-state', '已作废') : h('span.badge.st#receipt-state', '有效'),
      r.replaces_id ? h('a', { href: `#/finance/receipts/${r.replaces_id}` }, '原收据') : null),
    h('div.actions',
      sizeBtn('a5', 'A5'), sizeBtn('a4', 'A4'),
      h('button#print-receipt', { type: 'button', onclick: () => window.print() }, '打印'),
      can && !voided ? h('button.link#void-receipt', { type: 'button', onclick: () => { form.hidden = false; form.reason.focus(); } }, '作废') : null,
      can && voided ? h('button.link#reissue-receipt', { type: 'button', onclick: reissue }, '重开') : null,
      h('a', { href: `#/finance/receipts?household_id=${r.household_id}` }, '该户收据')),
    form);
  fill(view, bar, page);
}

/** The receipts of a household (or an estate), newest first. */
export async function receiptListPage(view, { params }) {
  const query = new URLSearchParams({ page_size: '50' });
  for (const k of ['household_id', 'payment_id', 'number']) if (params.get(k)) query.set(k, params.get(k));
  if (session.estateId) query.set('estate_id', String(session.estateId));
  const l = await get('/receipts?' + query.toString());
  const rows = l.items.map((r) => h('tr',
    h('td', h('a', { href: `#/finance/receipts/${r.id}` }, r.number)), h('td.num', yuan(r.amount_fen)),
    h('td', r.voided_at ? '已作废' : '有效'), h('td', String(r.issued_at).slice(0, 10))));
  const search = h('form.row#receipt-search', h('input', { name: 'number', placeholder: '收据号', value: params.get('number') || '' }),
    h('button', { type: 'submit' }, '查找'));
  search.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go(`#/finance/receipts?number=${encodeURIComponent(search.number.value.trim())}`);
  });
  fill(view, h('h2', '收据'), search, table('receipts', ['收据号', '金额（元）', '状态', '开具日期'], rows, '没有收据'));
}
