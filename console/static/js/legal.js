// The legal queue (法务案件): the cases awaiting or referred to legal, and a
// case's legal matter — its documents (起诉状, 证据, 判决书, 调解书) and its
// outcome (起诉, 调解, 和解, 撤回), each dated. The matter lives on the
// case's process: the server refuses (409) what its state does not allow.
import { get, qs } from './api.js';
import { stages, legalStatuses, legalDocKinds, label } from './labels.js';
import { h, fill, field, select, fmtTime, fmtYuan, showError, clearErrors, toast, yuanToFen, localISO, civil } from './ui.js';
import { session, go } from './session.js';
import { loadStaff, namer, submissions, reasonInput } from './process.js';

/** Today's civil date in the browser's zone: "2026-09-10". */
const today = () => localISO().slice(0, 10);
const statusBadge = (c) => (c.stage === 'legal_pending'
  ? h('span.badge.sg-legal_pending', label(stages, 'legal_pending'))
  : h('span.badge.st', { dataset: { legal: c.legal_status || 'referred' } }, label(legalStatuses, c.legal_status || 'referred')));

export async function legalListPage(view) {
  const body = h('tbody');
  fill(view,
    h('div.row.head', h('h1', '法务案件'), h('span.muted#legal-total')),
    h('p.muted', '已批准转法务的案件在此登记文书与结果；待审批的案件仅供查看，由项目经理决定。'),
    h('div.card', h('div.table-wrap', h('table.list#legal-cases',
      h('thead', h('tr', h('th', '住户'), h('th', '状态'), h('th.num', '欠费金额'), h('th', '转法务'), h('th', '书面催告'))), body))));
  const l = await get('/arrears' + qs({ estate_id: session.estateId || '', legal: 'true', page_size: 200 }));
  document.getElementById('legal-total').textContent = `共 ${l.total} 户`;
  fill(body, l.items.length ? l.items.map((c) => {
    const href = `#/legal/${c.household_id}`;
    return h('tr.clickable', { dataset: { household: String(c.household_id), stage: c.stage }, onclick: (e) => { if (!e.target.closest('a')) go(href); } },
      h('td', h('a', { href }, c.address || `住户 #${c.household_id}`)),
      h('td', statusBadge(c)),
      h('td.num', h('b', fmtYuan(c.owed_fen))),
      h('td', c.legal_since ? fmtTime(c.legal_since, true) : '—', c.stage === 'legal_pending' ? h('div.muted', '提请日期') : null),
      h('td', c.notice_served_at ? fmtTime(c.notice_served_at, true) : h('span.err', '未送达')));
  }) : h('tr', h('td', { colspan: 5 }, h('span.muted', '没有转法务的案件'))));
}

export async function legalCasePage(view, { match }) {
  const id = Number(match[1]);
  const [d, hh] = await Promise.all([get(`/households/${id}/arrears`), get(`/households/${id}`)]);
  const who = namer(await loadStaff(hh.estate_id, true).catch(() => new Map()));
  const p = d.process || {};
  const m = p.legal || { Status: 'referred' };
  const docs = m.Documents || [];
  const outcomes = m.Outcomes || [];
  const allowed = d.allowed_actions || [];
  const stage = p.stage || (d.case && d.case.stage) || '';
  const reload = () => legalCasePage(view, { match });
  fill(view,
    h('div.row.head', h('h1', `法务案件 · ${hh.building} ${hh.unit_number}`),
      h('span.badge.st#legal-status', { dataset: { legal: m.Status } }, stage === 'legal' ? label(legalStatuses, m.Status) : label(stages, stage)),
      h('a', { href: '#/legal' }, '← 法务案件'), h('a', { href: `#/arrears/${id}` }, '欠费详情与证据')),
    h('div.card', h('dl.kv#legal-facts',
      h('dt', '欠费金额'), h('dd', fmtYuan(d.account.total)),
      h('dt', '转法务'), h('dd', p.legal_since ? fmtTime(p.legal_since, true) : '—'),
      h('dt', '书面催告'), h('dd', d.demand_letters.length ? d.demand_letters.map((l) => `${civil(l.served_on)} 送达，限 ${civil(l.pay_by)} 前缴纳`).join('；') : '未送达'))),
    h('div.grid2',
      h('div.card', h('h2', `文书（${docs.length}）`), docs.length ? h('ul.plain#legal-documents', docs.map((x) => h('li',
        h('b', x.Name), ' ', h('span.badge', label(legalDocKinds, x.Kind)), ` ${x.On}`, x.Ref ? ` · ${x.Ref}` : '',
        h('div.muted', `${who(x.By)} 登记于 ${fmtTime(x.At)}`), x.Note ? h('div', x.Note) : null))) : h('p.muted', '尚无文书'),
      allowed.includes('legal_document') ? documentForm(id, reload) : null),
      h('div.card', h('h2', '结果'), outcomes.length ? h('ul.plain#legal-outcomes', outcomes.map((x) => h('li', { dataset: { outcome: x.Kind } },
        h('b', label(legalStatuses, x.Kind)), ` ${x.On}`, outcomeText(x),
        h('div.muted', `${who(x.By)} 登记于 ${fmtTime(x.At)}`), x.Note ? h('div', x.Note) : null))) : h('p.muted', '尚无结果'),
      allowed.includes('legal_outcome') ? outcomeForm(id, reload) : (stage === 'legal' ? null : h('p.muted', '案件转法务获批后方可登记文书与结果')))));
}

function outcomeText(x) {
  if (x.Kind === 'filed') return ` · ${x.Court} ${x.CaseNo}`;
  if (x.Kind === 'settled') return ` · 和解金额 ${fmtYuan(x.AmountFen)}`;
  if (x.Kind === 'withdrawn') return ` · 原因：${x.Reason}`;
  return '';
}

/** A form that posts to path what build() returns, then reloads. */
function legalForm(name, title, inputs, path, build, done, reload) {
  const form = h('form.card.legal-form', { novalidate: true, dataset: { form: name } }, h('h3', title), inputs,
    h('div.actions', h('button', { type: 'submit' }, '保存')));
  const send = submissions();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await send(path, build());
      toast(done);
      await reload();
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

function documentForm(id, reload) {
  const kind = select('kind', legalDocKinds, 'complaint');
  const name = h('input', { name: 'name', maxLength: 100, placeholder: '如：起诉状（正本）' });
  const ref = h('input', { name: 'reference', maxLength: 100, placeholder: '编号或存放位置（可选）' });
  const date = h('input', { type: 'date', name: 'date', max: today(), value: today() });
  return legalForm('legal_document', '登记文书', [h('div.row', field('类型', kind), field('名称', name)), h('div.row', field('编号/位置', ref), field('日期', date))],
    `/households/${id}/arrears/legal-documents`, () => {
      if (!name.value.trim()) throw { code: 'invalid_input', field: 'name', message: '必填' };
      return { kind: kind.value, name: name.value.trim(), reference: ref.value.trim(), date: date.value };
    }, '已登记文书', reload);
}

function outcomeForm(id, reload) {
  const outcome = select('outcome', legalStatuses, '', '请选择');
  outcome.querySelector('option[value="referred"]').remove();
  const date = h('input', { type: 'date', name: 'date', max: today(), value: today() });
  const court = h('input', { name: 'court', maxLength: 100, placeholder: '如：浦东新区人民法院' });
  const caseNo = h('input', { name: 'case_no', maxLength: 50, placeholder: '如：(2026)沪0115民初1234号' });
  const amount = h('input', { name: 'amount_fen', inputMode: 'decimal', placeholder: '和解金额（元）' });
  const reason = reasonInput('撤回原因');
  const note = h('input', { name: 'note', maxLength: 1000, placeholder: '说明（可选）' });
  const filed = h('div.row', field('受理法院', court), field('案号', caseNo));
  const settled = field('和解金额（元）', amount);
  const withdrawn = field('撤回原因', reason);
  const sync = () => { filed.hidden = outcome.value !== 'filed'; settled.hidden = outcome.value !== 'settled'; withdrawn.hidden = outcome.value !== 'withdrawn'; };
  outcome.addEventListener('change', sync);
  sync();
  return legalForm('legal_outcome', '登记结果', [h('div.row', field('结果', outcome), field('日期', date)), filed, settled, withdrawn, field('说明', note)],
    `/households/${id}/arrears/legal-outcome`, () => {
      if (!outcome.value) throw { code: 'invalid_input', field: 'outcome', message: '必填' };
      const body = { outcome: outcome.value, date: date.value, note: note.value.trim() };
      if (outcome.value === 'filed') Object.assign(body, { court: court.value.trim(), case_no: caseNo.value.trim() });
      if (outcome.value === 'settled') {
        body.amount_fen = yuanToFen(amount.value);
        if (!body.amount_fen) throw { code: 'invalid_input', field: 'amount_fen', message: '请输入大于 0 的金额（元）' };
      }
      if (outcome.value === 'withdrawn') body.reason = reason.value.trim();
      return body;
    }, '已登记结果', reload);
}
