// Outages (停水停电通知) and community notices (公告): plan an outage, see
// it announced to the households and the repair reports it explains,
// restore, extend or cancel it; publish a notice and see how many
// residents it reached. The API refuses what the state does not allow.
import { get, qs } from './api.js';
import { label } from './labels.js';
import { h, fill, field, select, fmtTime, showError, clearErrors, toast } from './ui.js';
import { session, go } from './session.js';
import { loadStaff, namer, poll, timeline, actionBar, formFor, reasonInput, submissions } from './process.js';

export const utilities = { water: '停水', power: '停电', gas: '停气', lift: '电梯停运' };
export const outageStatuses = { announced: '已通知', ongoing: '停运中', overdue: '超时未恢复', restored: '已恢复', cancelled: '已取消' };
const outageEvents = {
  planned: '登记停运', announced: '已通知住户', reminded: '开始前提醒', started: '开始停运', overdue: '超过预计恢复时间',
  escalation: '超时升级', restored: '记录恢复', extended: '延长停运', cancelled: '取消停运', told: '已通知住户',
};
export const noticeStatuses = { scheduled: '待发布', published: '已发布', expired: '已过期', withdrawn: '已撤回' };
const managers = ['estate_manager', 'company_admin'];
const iso = (v) => (v ? new Date(v).toISOString() : null);
const list = (v) => v.split(/[,，、\s]+/).map((x) => x.trim()).filter(Boolean);

/** The outage list (#/outages) with the form to plan one. */
export async function outageListPage(view) {
  const estateId = session.estateId || '';
  const l = await get('/outages' + qs({ estate_id: estateId, page_size: 100, sort: '-starts_at' }));
  const form = h('form.card#outage-form', { novalidate: true });
  const util = select('utility', utilities, 'water');
  const buildings = h('input', { name: 'buildings', placeholder: '如：1栋, 2栋' });
  const starts = h('input', { type: 'datetime-local', name: 'starts_at' });
  const ends = h('input', { type: 'datetime-local', name: 'ends_at' });
  const reason = h('input', { name: 'reason', maxLength: 500, placeholder: '如：二次供水水箱清洗' });
  const emergency = h('input', { type: 'checkbox', name: 'emergency' });
  const send = submissions();
  form.append(h('h2', '登记停水停电'), field('类型', util), field('影响楼栋', buildings), field('开始时间', starts), field('预计恢复', ends),
    field('原因', reason), session.has(...managers) ? h('label.f.inline', emergency, '紧急情况（不受提前 24 小时通知限制，仅项目经理）') : null,
    h('div.actions', h('button', { type: 'submit' }, '登记并通知住户')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      const out = await send('/outages', { estate_id: Number(estateId) || 0, utility: util.value, buildings: list(buildings.value),
        starts_at: iso(starts.value), ends_at: iso(ends.value), reason: reason.value.trim(), emergency: emergency.checked });
      toast('已登记，正在通知住户');
      go(`#/outages/${out.outage.id}`);
    } catch (err) { showError(form, err); }
  });
  const rows = l.items.map((o) => h('tr',
    h('td', h('a', { href: `#/outages/${o.id}` }, `#${o.id}`)),
    h('td', label(utilities, o.utility), o.emergency ? [' ', h('span.badge.esc', '紧急')] : null),
    h('td', (o.buildings || []).join('、')),
    h('td', fmtTime(o.starts_at)), h('td', fmtTime(o.ends_at)),
    h('td', h('span.badge.st', label(outageStatuses, o.status)))));
  fill(view, h('div.row.head', h('h1', '停水停电通知'), h('a', { href: '#/notices' }, '公告 →')),
    h('div.card', h('div.table-wrap', h('table.list#outage-list',
      h('thead', h('tr', h('th', '编号'), h('th', '类型'), h('th', '楼栋'), h('th', '开始'), h('th', '预计恢复'), h('th', '状态'))),
      h('tbody', rows.length ? rows : h('tr', h('td', { colspan: 6 }, h('span.muted', '没有'))))))),
    estateId ? form : h('div.banner.info', '请先在右上角选择一个小区再登记。'));
}

const outageActions = [['restore', '记录恢复'], ['extend', '延长停运'], ['cancel', '取消停运']];

/** An outage's page (#/outages/:id). */
export async function outagePage(view, { match }) {
  const id = Number(match[1]);
  let d = await get(`/outages/${id}`);
  const who = namer(await loadStaff(d.outage.estate_id, true));
  const info = h('div.card');
  const acts = h('div.card#outage-actions');
  const linked = h('div.card#outage-tickets');
  const events = h('div.card');
  const answer = submissions();
  const draw = () => {
    const o = d.outage;
    const p = d.process || {};
    const status = p.status || o.status;
    fill(info, h('h2', `#${o.id} ${label(utilities, o.utility)} · ${(o.buildings || []).join('、')}`),
      h('dl.kv',
        h('dt', '状态'), h('dd', h('span.badge.st#outage-status', label(outageStatuses, status)), o.emergency ? [' ', h('span.badge.esc', '紧急')] : null),
        h('dt', '开始'), h('dd', fmtTime(o.starts_at)),
        h('dt', '预计恢复'), h('dd', fmtTime(p.ends_at || o.ends_at)),
        h('dt', '原因'), h('dd', o.reason),
        h('dt', '通知住户'), h('dd#outage-households', `${p.households ?? o.households} 户` + (p.sending ? '（发送中）' : '')),
        h('dt', '消息'), h('dd#outage-counts', `已发送 ${d.counts.sent} · 已送达 ${d.counts.delivered}`),
        o.restored_at ? [h('dt', '恢复时间'), h('dd', fmtTime(o.restored_at))] : null));
    const open = (d.tickets || []).filter((t) => !t.answered_at && !['closed', 'cancelled'].includes(t.status));
    const answerBtn = h('button#answer-tickets', { type: 'button', disabled: status !== 'restored' || !open.length }, '统一答复关联工单');
    answerBtn.addEventListener('click', async () => {
      try {
        const r = await answer(`/outages/${id}/answer-tickets`, {});
        toast(`已答复 ${r.answered.length} 张工单`);
        await reload();
      } catch (err) { toast(err.message || '答复失败'); }
    });
    fill(linked, h('h2', `关联报修（${d.known}）`),
      (d.tickets || []).length ? h('ul', d.tickets.map((t) => h('li', h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`), ` ${t.category} · ${t.status}`,
        t.answered_at ? h('span.muted', ` · 已答复 ${fmtTime(t.answered_at)}`) : null))) : h('p.muted', '暂无'),
      session.has('supervisor', ...managers) ? answerBtn : null);
    timeline(events, { title: '时间线', events: d.events, who, types: outageEvents, statuses: outageStatuses });
    bar.draw();
  };
  const reload = async () => { d = await get(`/outages/${id}`); draw(); };
  const bar = actionBar(acts, {
    title: '操作',
    actions: () => outageActions.filter(([a]) => (d.allowed_actions || []).includes(a)).map(([a, text]) => [a, text, a === 'restore' ? '' : 'secondary']),
    none: () => '当前没有可执行的操作',
    form: (a) => {
      const form = formFor(a);
      if (a === 'extend') {
        const at = h('input', { type: 'datetime-local', name: 'ends_at' });
        form.append(field('新的预计恢复时间', at));
        form.collect = () => ({ ends_at: iso(at.value) });
      } else if (a === 'cancel') {
        const r = reasonInput('取消原因');
        form.append(field('取消原因', r));
        form.collect = () => ({ reason: r.value.trim() });
      } else {
        const n = h('input', { name: 'note', maxLength: 500, placeholder: '如：管道已修复（可选）' });
        form.append(field('说明', n));
        form.collect = () => ({ note: n.value.trim() });
      }
      return form.end('确定');
    },
    request: (a, form) => ({ path: `/outages/${id}/actions/${a}`, body: form.collect(), done: '已保存，正在通知住户' }),
    reload,
  });
  fill(view, h('a', { href: '#/outages' }, '← 返回停水停电列表'), h('div.grid2', h('div', info, acts, linked), events));
  draw();
  poll(reload, 5000);
}

/** The notice list (#/notices) with delivered and read counts, and the form to publish one. */
export async function noticeListPage(view) {
  const estateId = session.estateId || '';
  const l = await get('/notices' + qs({ estate_id: estateId, page_size: 100, sort: '-publish_at' }));
  const form = h('form.card#notice-form', { novalidate: true });
  const title = h('input', { name: 'title', maxLength: 100 });
  const body = h('textarea', { name: 'body', rows: 4, maxLength: 2000 });
  const buildings = h('input', { name: 'buildings', placeholder: '留空为全体住户' });
  const publish = h('input', { type: 'datetime-local', name: 'publish_at' });
  const expires = h('input', { type: 'datetime-local', name: 'expires_at' });
  const emergency = h('input', { type: 'checkbox', name: 'emergency' });
  const send = submissions();
  form.append(h('h2', '发布公告'), field('标题', title), field('内容', body), field('楼栋', buildings),
    field('发布时间（留空为立即）', publish), field('到期时间', expires),
    session.has(...managers) ? h('label.f.inline', emergency, '紧急公告（不受免打扰时段和每日条数限制）') : null,
    h('div.actions', h('button', { type: 'submit' }, '发布')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    try {
      await send('/notices', { estate_id: Number(estateId) || 0, title: title.value.trim(), body: body.value.trim(), buildings: list(buildings.value),
        publish_at: iso(publish.value), expires_at: iso(expires.value), emergency: emergency.checked });
      toast('公告已安排发布');
      await noticeListPage(view);
    } catch (err) { showError(form, err); }
  });
  const rows = l.items.map((n) => h('tr', { dataset: { notice: String(n.id) } },
    h('td', `#${n.id}`), h('td', n.title, n.emergency ? [' ', h('span.badge.esc', '紧急')] : null),
    h('td', fmtTime(n.publish_at)), h('td', fmtTime(n.expires_at)),
    h('td', h('span.badge.st', label(noticeStatuses, n.status))),
    h('td.counts', `${n.households} 户 · 已发送 ${n.counts.sent} · 已送达 ${n.counts.delivered} · 已读 ${n.counts.read}`)));
  fill(view, h('div.row.head', h('h1', '公告'), h('a', { href: '#/outages' }, '停水停电 →')),
    h('div.card', h('div.table-wrap', h('table.list#notice-list',
      h('thead', h('tr', h('th', '编号'), h('th', '标题'), h('th', '发布'), h('th', '到期'), h('th', '状态'), h('th', '送达'))),
      h('tbody', rows.length ? rows : h('tr', h('td', { colspan: 6 }, h('span.muted', '没有'))))))),
    estateId ? form : h('div.banner.info', '请先在右上角选择一个小区再发布。'));
}
