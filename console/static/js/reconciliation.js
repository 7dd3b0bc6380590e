// 对账: the reconciliations of the payment providers' daily statements with
// the recorded payments, newest day first, the mismatches of the one chosen,
// and a form to upload a statement (CSV, UTF-8 or GBK; finance).
import { get, upload, qs } from './api.js';
import { h, fill, fmtYuan, fmtTime, civil, table, field, select, showError, toast } from './ui.js';
import { session, go } from './session.js';

const channels = { wechat: '微信', alipay: '支付宝', bank: '银行', card: '刷卡' };
const kinds = {
  not_recorded: '对账单有、系统未记录',
  not_in_file: '系统已记录、对账单没有',
  amount_differs: '金额不符',
  duplicate_in_file: '对账单重复',
};
const sources = { upload: '上传', folder: '自动读取' };
const money = (fen) => (fen === null || fen === undefined ? '—' : fmtYuan(fen));

/** Yesterday in the browser's zone, as YYYY-MM-DD. */
function yesterday() {
  const d = new Date(Date.now() - 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function uploadForm() {
  const estates = Object.fromEntries(session.estates.map((e) => [String(e.id), e.name]));
  const form = h('form.card#recon-upload',
    h('h3', '上传对账单'),
    h('div.row',
      field('小区', select('estate_id', estates, String(session.estateId || (session.estates[0] || {}).id || ''))),
      field('渠道', select('channel', channels, 'wechat')),
      field('对账日期', h('input', { type: 'date', name: 'day', value: yesterday(), required: true })),
      field('对账单', h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true })),
      h('button', { type: 'submit' }, '上传并对账')),
    h('p.muted', 'CSV 文件，UTF-8 或 GBK 编码，不超过 10 MB；表头须含交易单号（transaction_id）、交易金额（amount，元）、交易时间（time），可含交易状态（status）。'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const r = await upload('/reconciliations', new FormData(form));
      toast(r.mismatch_count ? `对账完成：${r.mismatch_count} 处不符` : '对账完成：全部相符');
      go(`#/finance/reconciliation?id=${r.id}`);
    } catch (err) { showError(form, err); }
  });
  return form;
}

function mismatches(r) {
  const rows = (r.mismatches || []).map((m) => h('tr',
    h('td', kinds[m.kind] || m.kind), h('td', m.reference), h('td', m.line || '—'),
    h('td.num', money(m.file_fen)), h('td.num', money(m.recorded_fen)), h('td', fmtTime(m.at, true)),
    h('td', m.payment_id ? h('a', { href: `#/finance/receipts?payment_id=${m.payment_id}` }, '收据') : '—')));
  return h('section.card#recon-detail',
    h('h3', `${civil(r.day)} ${channels[r.channel] || r.channel} 对账：${r.rows} 笔，相符 ${r.matched} 笔，跳过 ${r.skipped} 笔，不符 ${r.mismatch_count} 处`),
    table('recon-mismatches', ['差异', '交易号', '行', '对账单金额', '系统金额', '时间', ''], rows, '没有差异'));
}

export async function reconciliationPage(view, { params }) {
  const id = Number(params.get('id') || 0);
  const [l, chosen] = await Promise.all([
    get('/reconciliations' + qs({ estate_id: session.estateId || '', page_size: 50 })),
    id ? get(`/reconciliations/${id}`) : null,
  ]);
  const showEstate = !session.estateId;
  const rows = l.items.map((r) => h('tr', { className: r.id === id ? 'on' : '' },
    h('td', h('a', { href: `#/finance/reconciliation?id=${r.id}` }, civil(r.day))),
    showEstate ? h('td', (session.estate(r.estate_id) || {}).name || '') : null,
    h('td', channels[r.channel] || r.channel), h('td', r.file_name), h('td', sources[r.source] || r.source),
    h('td.num', r.rows), h('td.num', r.matched), h('td.num', r.mismatch_count ? h('b', r.mismatch_count) : '0')));
  const heads = ['对账日期', showEstate ? '小区' : null, '渠道', '文件', '来源', '笔数', '相符', '不符'].filter(Boolean);
  fill(view, h('h2', '对账'),
    session.has('finance', 'company_admin') ? uploadForm() : null,
    chosen ? mismatches(chosen) : null,
    table('reconciliations', heads, rows, '还没有对账记录'));
}
