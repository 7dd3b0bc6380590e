// The payments of an estate (缴费记录, #/finance/payments): how each was paid
// (channel, the provider's transaction), how it compared with what was owed
// (足额, 少缴, 多缴), and whether it was refunded or reversed. Finance reverses
// a payment here, with a reason.
import { get, post, qs } from './api.js';
import { payChannels } from './labels.js';
import { h, fill, fmtYuan, fmtTime, toast, showError, clearErrors } from './ui.js';
import { session } from './session.js';

export const financeRoles = ['finance', 'company_admin'];

const settlements = { exact: '足额', under: '少缴', over: '多缴' };

/** The comparison with what was owed: 少缴 ¥20.00, 多缴 ¥100.00, 足额. */
function settlement(p) {
  if (!p.settlement) return h('span.muted', '—');
  const text = settlements[p.settlement] || p.settlement;
  return p.difference_fen ? `${text} ${fmtYuan(Math.abs(p.difference_fen))}` : text;
}

/** 已冲正, 已退款 ¥x, or nothing. */
function reversed(p) {
  if (p.reversed_at) return h('span.badge.reversed', '已冲正');
  if (p.reversed_fen > 0) return h('span.badge', `已退款 ${fmtYuan(p.reversed_fen)}`);
  return null;
}

export async function paymentsPage(view, { params }) {
  const estateId = params.get('estate_id') || session.estateId || '';
  const householdId = params.get('household_id') || '';
  const l = await get('/payments' + qs({ estate_id: estateId, household_id: householdId, page_size: 200 }));
  const mayReverse = session.has(...financeRoles);
  const form = h('form.card#reversal-form', { hidden: true },
    h('h2', '冲正付款'),
    h('p.muted#reversal-what', ''),
    h('label', '原因', h('input', { name: 'reason', required: true, maxLength: 500 })),
    h('div.actions', h('button', { type: 'submit' }, '确认冲正'), h('button.secondary', { type: 'button', onclick: () => { form.hidden = true; } }, '取消')));
  let target = null;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await post(`/payments/${target.id}/reversal`, { reason: form.reason.value });
      toast('已冲正：该笔付款不再计入账户，催缴将接续进行');
      await paymentsPage(view, { params });
    } catch (err) {
      showError(form, err);
    }
  });
  const open = (p) => {
    target = p;
    form.hidden = false;
    form.querySelector('#reversal-what').textContent = `住户 #${p.household_id} · ${fmtYuan(p.amount_fen - p.reversed_fen)} · ${p.reference}`;
    form.reason.focus();
  };
  fill(view,
    h('div.row.head', h('h1', '缴费记录'), h('span.muted', `共 ${l.total} 笔`)),
    form,
    h('div.card', h('div.table-wrap', h('table.list#payments',
      h('thead', h('tr', h('th', '付款时间'), h('th', '住户'), h('th.num', '金额'), h('th', '渠道'), h('th', '交易号'),
        h('th', '核对'), h('th', '状态'), h('th', ''))),
      h('tbody', l.items.length ? l.items.map((p) => h('tr', { dataset: { id: String(p.id) } },
        h('td', fmtTime(p.paid_at, true)),
        h('td', h('a', { href: `#/arrears/${p.household_id}` }, p.address || `住户 #${p.household_id}`)),
        h('td.num', fmtYuan(p.amount_fen)),
        h('td', payChannels[p.channel] || p.channel, p.provider ? h('span.muted', ` (${p.provider})`) : null),
        h('td', h('code', p.reference)),
        h('td', settlement(p)),
        h('td', reversed(p)),
        h('td', h('a', { href: `#/finance/receipts?payment_id=${p.id}` }, '收据'),
          mayReverse && !p.reversed_at ? h('button.link', { type: 'button', dataset: { act: 'reverse' }, onclick: () => open(p) }, '冲正') : null)))
        : h('tr', h('td', { colspan: 8 }, h('span.muted', '没有缴费记录'))))))));
}
