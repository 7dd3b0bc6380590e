// The finance hub (收费管理, #/finance): where finance, estate managers and
// company administrators land. The estate's collection rate (收缴率) of this
// month's and this year's bills, and a card for each finance page (their
// routes under #/finance/… are added to app.js by those pages).
import { get, qs } from './api.js';
import { h, fill, fmtYuan } from './ui.js';
import { session } from './session.js';
import { exportControl } from './listing.js';

export const financeCards = [
  { href: '#/finance/standards', text: '收费标准', note: '各类费用的单价与计费方式' },
  { href: '#/finance/readings', text: '抄表', note: '水、电、燃气读数' },
  { href: '#/finance/billing', text: '计费', note: '按月为全部住户出账' },
  { href: '#/finance/bills', text: '账单', note: '查询与导出账单' },
  { href: '#/finance/payments', text: '收款', note: '登记与查询收款' },
  { href: '#/finance/receipts', text: '收据', note: '开具与补打收据' },
  { href: '#/finance/reconciliation', text: '对账', note: '收款与银行流水核对' },
  { href: '#/finance/imports', text: '数据导入', note: '批量导入住户、账单与收款' },
];

/** "87.50%" of a rate in basis points; "—" when nothing is billed. */
function percent(bp) {
  if (bp === null || bp === undefined) return '—';
  return `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;
}

export async function financePage(view) {
  const estate = session.estateId || '';
  const r = await get('/collection-rate' + qs({ estate_id: estate }));
  const rate = (id, title, c) => h(`div.stat#${id}`, { dataset: { stat: title } },
    h('div.n', percent(c.rate_bp)), h('div.muted', title),
    h('div.sub', c.bills ? `已收 ${fmtYuan(c.collected_fen)} / 应收 ${fmtYuan(c.billed_fen)}（${c.bills} 张账单）` : '尚未出账'));
  const period = r.month.from;
  fill(view,
    h('div.row.head', h('h1', '收费管理'), h('span.muted', `截至 ${r.as_of}`)),
    h('section#collection-rate',
      h('h2', '收缴率'),
      h('p.muted', '本期账单的已收金额 ÷ 应收金额（不含滞纳金），截至今天。'),
      h('div.stats',
        rate('rate-month', '本月收缴率', r.month),
        rate('rate-year', '本年收缴率', r.year)),
      h('div.list-tools', h('a', { href: '#/bills' + qs({ period, estate_id: estate }) }, '本月账单'),
        exportControl('/bills', { estate_id: estate, period }))),
    h('section#finance-cards',
      h('h2', '收费业务'),
      h('div.card-grid', financeCards.map((c) => h('a.card.link-card', { href: c.href }, h('h3', c.text), h('p.muted', c.note))))));
}
