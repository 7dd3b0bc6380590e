// 数据导入 (#/finance/imports): choose a kind and an estate, download its
// template, upload a file for a dry run whose bad rows are listed (row,
// column, reason), apply a clean file and follow the import's progress
// until it is done or cancelled.
import { ApiError, get, post } from './api.js';
import { h, fill, toast, table, field, select } from './ui.js';
import { session, onLeave } from './session.js';

const kinds = { units: '房屋', households: '住户', opening_balances: '期初欠费', staff: '员工', fee_standards: '收费标准', meter_readings: '抄表读数' };
// What a kind's import does beyond updating by business key.
const hints = {
  fee_standards: () => h('span', '按收费项目更新：单价与条件不变则不改动；新单价从其生效账期起新增版本，已出账单不变。空置折扣(%)为空置房按原价的百分之几收费：留空或 100 不打折，0 为空置不收费。 ',
    h('a', { href: '#/finance/standards' }, '查看收费标准')),
  meter_readings: () => h('span', '同一房屋、表类、账期只记录一次；与已录读数不同的行导入失败并注明原因。首次读数或异常读数按抄表规则标记为待复核，复核前不计费。 ',
    h('a', { href: '#/finance/readings' }, '去抄表页复核')),
};
const statuses = { running: '导入中', done: '已完成', cancelled: '已取消' };

/** Posts file as multipart to /api/v1 + path; errors throw an ApiError
 * whose body (the dry-run report of a refused apply) is kept. */
async function upload(path, file) {
  const form = new FormData();
  form.append('file', file);
  let res;
  try {
    res = await fetch('/api/v1' + path, { method: 'POST', body: form, credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch (_) {
    throw new ApiError(0, { error: { message: '无法连接服务器，请检查网络' } });
  }
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    err.report = data;
    throw err;
  }
  return data;
}

function reportTable(errors) {
  return table('import-errors', ['行号', '列', '原因'], errors.map((e) =>
    h('tr', h('td', String(e.row)), h('td', e.column || '整行'), h('td', e.reason))), '没有错误');
}

export async function importsPage(view) {
  const estates = session.estates.filter((e) => !session.me.estate_id || e.id === session.me.estate_id);
  const estatePick = h('select#import-estate', { name: 'estate_id' },
    estates.map((e) => h('option', { value: String(e.id), selected: e.id === session.estateId }, e.name)));
  const kindPick = select('kind', kinds, 'units');
  kindPick.id = 'import-kind';
  const fileInput = h('input#import-file', { type: 'file', name: 'file', accept: '.xlsx,.csv' });
  const templates = h('span.actions#import-templates');
  const hint = h('p.muted#import-hint');
  const out = h('div#import-result');
  const checkBtn = h('button#import-check', { type: 'button' }, '检查文件');
  const applyBtn = h('button#import-apply', { type: 'button', disabled: true }, '确认导入');
  let timer = 0;
  onLeave(() => clearTimeout(timer));

  const drawTemplates = () => {
    const k = kindPick.value;
    fill(templates,
      h('a', { href: `/api/v1/imports/templates/${k}?format=xlsx`, download: '' }, `下载${kinds[k]}模板（xlsx）`),
      h('a', { href: `/api/v1/imports/templates/${k}?format=csv`, download: '' }, 'csv 模板'));
    fill(hint, hints[k] ? hints[k]() : null);
  };
  const path = (dry) => `/imports?kind=${kindPick.value}&estate_id=${estatePick.value}&dry_run=${dry}`;
  const reset = () => { applyBtn.disabled = true; fill(out); };
  kindPick.addEventListener('change', () => { drawTemplates(); reset(); });
  estatePick.addEventListener('change', reset);
  fileInput.addEventListener('change', reset);

  const showProgress = (imp) => {
    const pct = imp.rows_total ? Math.floor((imp.rows_done + imp.rows_failed) * 100 / imp.rows_total) : 100;
    const cancel = imp.status === 'running' && !imp.cancel_requested
      ? h('button.secondary#import-cancel', { type: 'button', onclick: async () => {
        try { showProgress(await post(`/imports/${imp.id}/cancel`)); toast('已请求取消：当前批次完成后停止'); } catch (err) { toast(err.message); }
      } }, '取消导入') : null;
    fill(out, h('section.card#import-progress', { dataset: { status: imp.status } },
      h('h2', `导入 #${imp.id}：${statuses[imp.status] || imp.status}${imp.cancel_requested && imp.status === 'running' ? '（正在取消）' : ''}`),
      h('progress#import-bar', { max: 100, value: pct }),
      h('p#import-counts', `共 ${imp.rows_total} 行，已导入 ${imp.rows_done} 行，失败 ${imp.rows_failed} 行（${pct}%）`),
      imp.status === 'cancelled' ? h('p.muted', '取消前已导入的行保留；重新导入同一文件会按业务键更新，不会重复。') : null,
      imp.errors && imp.errors.length ? reportTable(imp.errors) : null,
      h('div.actions', cancel)));
    if (imp.status === 'running') timer = setTimeout(async () => {
      try { showProgress(await get(`/imports/${imp.id}`)); } catch (err) { toast(err.message); }
    }, 1000);
  };

  const run = async (dry) => {
    const file = fileInput.files[0];
    if (!file) { toast('请先选择文件'); return; }
    checkBtn.disabled = true; applyBtn.disabled = true;
    try {
      const rep = await upload(path(dry), file);
      if (dry) {
        const ok = rep.errors.length === 0;
        fill(out, h('section.card#import-report', { dataset: { ok: String(ok) } },
          h('h2', ok ? `检查通过：共 ${rep.rows_total} 行，可以导入` : `共 ${rep.rows_total} 行，${rep.rows_total - rep.rows_valid} 行有错误；修改后重新检查（有错误时不会导入任何行）`),
          ok ? null : reportTable(rep.errors)));
        applyBtn.disabled = !ok;
      } else {
        showProgress(rep.import);
      }
    } catch (err) {
      fill(out, h('div.banner.error#import-error', { role: 'alert' }, err.message),
        err.report && err.report.errors ? reportTable(err.report.errors) : null);
    } finally {
      checkBtn.disabled = false;
    }
  };
  checkBtn.addEventListener('click', () => run(true));
  applyBtn.addEventListener('click', () => run(false));

  drawTemplates();
  fill(view, h('h1', '数据导入'),
    h('section.card', h('div.row', field('小区', estatePick), field('导入类型', kindPick), templates),
      h('div.row', field('文件（xlsx 或 csv，不超过 20 MB）', fileInput), h('div.actions', checkBtn, applyBtn)),
      hint,
      h('p.muted', '先检查文件：每一行错误都会列出行号、列和原因。全部通过后才能导入；导入按业务键更新已有记录，重复导入不会产生重复数据。')),
    out);
}
