// A demand letter (催缴函) as it prints on A4: the letterhead, the
// addressee by name and address, each unpaid bill, the total in figures and
// in words (大写), the legal basis, the reply period, the place for the seal
// and the date. Printing hides the console around it (app.css, @media
// print). Above the letter, never printed: its service and the way back to
// the case.
import { get } from './api.js';
import { h, fill, fmtYuan } from './ui.js';
import { letterState, periodName } from './arrears.js';

const civil = (iso) => (iso ? String(iso).slice(0, 10) : '');
/** "2026年3月1日" for "2026-03-01". */
const longDate = (iso) => {
  const [y, m, d] = civil(iso).split('-').map(Number);
  return y ? `${y}年${m}月${d}日` : '';
};

export async function letterPage(view, { match }) {
  const l = await get(`/letters/${Number(match[1])}`);
  const c = l.content;
  const bar = h('div.card.no-print#letter-bar',
    h('div.row', h('b', `催缴函 函号 ${l.id}`), ' ', letterState(l)),
    h('div.actions',
      h('button#print-letter', { type: 'button', onclick: () => window.print() }, '打印'),
      h('a#letter-case', { href: `#/arrears/${l.household_id}` }, '返回催缴案件')));
  if (!c) { // a letter written before the printable form
    fill(view, bar, h('article.letter-page#letter', h('pre.letter', l.text)));
    return;
  }
  const yuan = (fen) => fmtYuan(fen).replace('¥', '');
  const salutation = c.addressee ? `${c.addressee}（${c.address}）业主/住户` : `${c.address}业主/住户`;
  const page = h('article.letter-page#letter',
    h('header.letterhead', h('div.company', c.company), c.company_address ? h('div.muted', c.company_address) : null,
      c.service_phone ? h('div.muted', `服务中心电话：${c.service_phone}`) : null),
    h('h1.letter-title', c.title),
    h('p.letter-no', `函号：${l.id}`),
    h('p', h('b#letter-addressee', salutation), '：'),
    h('p.indent', `截至${longDate(c.as_of)}，您尚有以下物业服务费未缴纳：`),
    h('table.letter-bills', h('thead', h('tr', ['费用期间', '到期日', '应缴（元）', '已缴（元）', '滞纳金（元）', '尚欠（元）'].map((t) => h('th', t)))),
      h('tbody', c.lines.map((x) => h('tr', h('td', x.period || periodName(x.period)), h('td', civil(x.due)), h('td.num', yuan(x.principal_fen)),
        h('td.num', yuan(x.paid_fen)), h('td.num', yuan(x.late_fee_fen)), h('td.num', yuan(x.outstanding_fen)))))),
    h('p.indent#letter-total', '合计尚欠人民币 ', h('b', `${yuan(c.total_fen)} 元`), '（大写：', h('b', c.total_in_words), '）。'),
    h('p.indent', '依据：'),
    h('ol.letter-basis', c.legal_basis.map((b) => h('li', b))),
    h('p.indent#letter-request', c.request),
    h('p.indent', '感谢您对物业服务工作的理解与支持。'),
    h('footer.letter-sign',
      h('div.seal-box#letter-seal', '（盖章处）'),
      h('div', c.seal), h('div', longDate(c.issued_on))),
    h('div.letter-receipt', h('div', '送达回执'), h('div', '签收人：____________　　签收日期：______年____月____日')));
  fill(view, bar, page);
}
