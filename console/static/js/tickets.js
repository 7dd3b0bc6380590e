// The service desk: the ticket list (nearest deadline first, live
// countdowns) and the form that opens a ticket in a few seconds.
import { get, qs } from './api.js';
import { urgencies, kinds, statuses, milestones, channels, label } from './labels.js';
import { h, fill, field, select, countdown, fmtTime, showError, clearErrors, toast, explain } from './ui.js';
import { session, go, onLeave, desk } from './session.js';
import { listControls, pagedBy, cursorPager, unpaged } from './listing.js';
import { submissions } from './process.js';

const filterKeys = ['status', 'urgency', 'kind', 'breached', 'at_risk', 'assignee_id', 'q', 'sort'];

/** One row of the list: urgency, what and where, state, assignee, next deadline. */
function ticketRow(t) {
  const where = [t.address || (t.household_id ? `住户 #${t.household_id}` : ''), t.location].filter(Boolean).join(' · ');
  const estate = session.estateId ? '' : (session.estate(t.estate_id) || {}).name;
  return h('tr', { dataset: { live: '1', ticket: String(t.id) } },
    h('td', h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)),
    h('td', h('span.badge.u-' + t.urgency, label(urgencies, t.urgency)), ' ',
      t.escalation_level > 0 ? h('span.badge.esc', { title: '升级级别' }, `升级 L${t.escalation_level}`) : null),
    h('td', h('a', { href: `#/tickets/${t.id}` }, `${label(kinds, t.kind)} · ${t.category}`),
      h('div.muted', [estate, where].filter(Boolean).join(' · '))),
    h('td', h('span.badge.st', label(statuses, t.status)), t.hold_reason ? h('div.muted', '挂起中') : null),
    h('td.assignee', t.assignee_name || h('span.muted', '未派单')),
    h('td.due', t.next_due_at ? [h('div.muted', label(milestones, t.next_due_kind)), countdown(t.next_due_at, t.warn_at)] : '—'),
    h('td.hide-sm.muted', fmtTime(t.reported_at)));
}

export async function ticketListPage(view, { params }) {
  const f = Object.fromEntries(filterKeys.map((k) => [k, params.get(k) || '']));
  const estateId = params.get('estate_id') || (session.estateId || '');
  const setFilter = (k, v) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v); else p.delete(k);
    go('#/tickets?' + unpaged(p).toString());
  };
  const statusSel = select('status', statuses, f.status, '全部状态');
  statusSel.setAttribute('aria-label', '按状态筛选');
  statusSel.addEventListener('change', () => setFilter('status', statusSel.value));
  const urgSel = select('urgency', urgencies, f.urgency, '全部紧急程度');
  urgSel.setAttribute('aria-label', '按紧急程度筛选');
  urgSel.addEventListener('change', () => setFilter('urgency', urgSel.value));
  const kindSel = select('kind', kinds, f.kind, '报修和投诉');
  kindSel.setAttribute('aria-label', '按类型筛选');
  kindSel.addEventListener('change', () => setFilter('kind', kindSel.value));
  const toggles = [['breached', '已超时'], ['at_risk', '临期预警']].map(([k, text]) => {
    const box = h('input', { type: 'checkbox', checked: f[k] === 'true' });
    box.addEventListener('change', () => setFilter(k, box.checked ? 'true' : ''));
    return h('label.f.inline', box, text);
  });
  const mine = session.me.role === 'technician'
    ? (() => {
      const box = h('input', { type: 'checkbox', checked: f.assignee_id === String(session.me.id) });
      box.addEventListener('change', () => setFilter('assignee_id', box.checked ? String(session.me.id) : ''));
      return h('label.f.inline', box, '只看派给我的');
    })() : null;
  const body = h('tbody');
  const total = h('span.muted');
  const pager = h('div.row');
  const apiParams = (extra) => ({ ...f, estate_id: estateId, page_size: 50, ...extra });
  const list = listControls({ route: '#/tickets', list: 'tickets', path: '/tickets', params, apiParams });
  const { th } = list;
  const table = h('table.list#ticket-list', h('thead', h('tr', th('编号', 'id'), th('紧急', 'urgency'), th('内容', 'category'),
    th('状态', 'status'), th('处理人', 'assignee_id'), th('下一时限', 'next_due_at'), th('登记时间', 'reported_at', '.hide-sm'))), body);
  const open = session.me.role === 'technician' ? openRepairs(estateId, () => load()) : null;
  fill(view,
    h('div.row', h('h1', '服务台'), total,
      session.has(...desk) ? h('a', { href: '#/tickets/new' }, h('button', { type: 'button' }, '＋ 新建工单')) : null),
    open ? open.el : null,
    h('div.card', list.tools, h('div.filters', statusSel, urgSel, kindSel, toggles, mine), h('div.table-wrap', table), list.more, pager));
  list.onMore((items) => body.append(...items.map(ticketRow)));
  const load = async () => {
    if (open) await open.load();
    if (list.extended()) return; // rows added by 加载更多 stay until the page is left
    const l = await get('/tickets' + qs(apiParams(pagedBy(params))));
    fill(body, l.items.length ? l.items.map(ticketRow) : h('tr', h('td', { colspan: 7 }, h('span.muted', '没有符合条件的工单'))));
    list.after(l);
    total.textContent = `共 ${l.total} 张`;
    fill(pager, cursorPager('#/tickets', params, l));
  };
  await load();
  const timer = setInterval(() => load().catch(() => {}), 10000);
  onLeave(() => clearInterval(timer));
}

/**
 * The technicians' 待接单: new repairs of their estate nobody was dispatched
 * to, each with a 抢单 button (the claim action). When two claim at once the
 * process lets one win; the other is told and the list reloads.
 */
function openRepairs(estateId, reload) {
  const body = h('tbody');
  const msg = h('div#claim-msg');
  const el = h('div.card#open-repairs', h('h2', '待接单'), msg, h('div.table-wrap', h('table.list',
    h('thead', h('tr', h('th', '编号'), h('th', '紧急'), h('th', '内容'), h('th', '下一时限'), h('th', ''))), body)));
  const send = submissions();
  const claim = async (t, btn) => {
    btn.disabled = true;
    fill(msg);
    try {
      await send(`/tickets/${t.id}/actions/claim`, {});
      toast(`已抢单 #${t.id}`);
      go(`#/tickets/${t.id}`);
    } catch (err) {
      fill(msg, h('div.banner.error', { role: 'alert' }, err.code === 'invalid_state' ? `工单 #${t.id} 已被他人接单` : explain(err)));
      await reload().catch(() => {});
    }
  };
  const load = async () => {
    const l = await get('/tickets' + qs({ estate_id: estateId, status: 'new', kind: 'repair', page_size: 50 }));
    fill(body, l.items.length ? l.items.map((t) => {
      const btn = h('button', { type: 'button', dataset: { claim: String(t.id) } }, '抢单');
      btn.addEventListener('click', () => claim(t, btn));
      return h('tr', { dataset: { ticket: String(t.id) } },
        h('td', h('a', { href: `#/tickets/${t.id}` }, `#${t.id}`)),
        h('td', h('span.badge.u-' + t.urgency, label(urgencies, t.urgency))),
        h('td', `${t.category}`, h('div.muted', [t.address, t.location].filter(Boolean).join(' · '))),
        h('td.due', t.next_due_at ? [h('div.muted', label(milestones, t.next_due_kind)), countdown(t.next_due_at, t.warn_at)] : '—'),
        h('td', btn));
    }) : h('tr', h('td', { colspan: 5 }, h('span.muted', '暂无待接单的报修'))));
  };
  return { el, load };
}

const categories = ['水电', '水管', '电路', '门窗', '电梯', '燃气', '空调', '墙面', '公共设施', '环境卫生', '噪音', '安保', '其他'];

export async function newTicketPage(view, { params }) {
  if (!session.estateId) {
    fill(view, h('h1', '新建工单'), h('div.banner.info', '请先在右上角选择一个小区。'));
    return;
  }
  const estateId = session.estateId;
  const buildings = (await get('/buildings' + qs({ estate_id: estateId, page_size: 200 }))).items || [];
  let household = null;

  const kind = select('kind', kinds, 'repair');
  const urgency = select('urgency', urgencies, 'normal');
  const category = h('input', { name: 'category', list: 'categories', placeholder: '如：水管', maxLength: 50 });
  const catList = h('datalist#categories', categories.map((c) => h('option', { value: c })));
  const channel = select('channel', { phone: channels.phone, walk_in: channels.walk_in }, 'phone');
  const search = h('input', { name: 'household_search', placeholder: '楼栋 房号 或 业主姓名，如：1栋 101', autocomplete: 'off' });
  const hh = h('input', { type: 'hidden', name: 'household_id' });
  const picks = h('div.pick', { hidden: true });
  const picked = h('div.muted', '未选择住户（公共区域请填写位置）');
  const residentSel = h('select', { name: 'resident_id' }, h('option', { value: '' }, '不通知业主'));
  // Without a resident chosen, the reporter's phone still reaches them
  // (a walk-in, a caller not looked up): the service finds or records them.
  const reporterPhone = h('input', { name: 'reporter_phone', type: 'tel', inputmode: 'tel', autocomplete: 'off', maxLength: 20, placeholder: '如：13812345678' });
  const reporterName = h('input', { name: 'reporter_name', autocomplete: 'off', maxLength: 50, placeholder: '可选，如：王先生' });
  const reporter = h('div.row', field('报事人电话（用于通知受理、确认）', reporterPhone), field('报事人姓名', reporterName));
  const syncReporter = () => { reporter.hidden = residentSel.value !== ''; };
  residentSel.addEventListener('change', syncReporter);
  const location = h('input', { name: 'location', placeholder: '公共区域位置，如：2栋地下车库', maxLength: 200 });
  const description = h('textarea', { name: 'description', placeholder: '问题描述', maxLength: 2000 });
  const appointment = h('input', { name: 'appointment', type: 'datetime-local' });
  const apptField = field('预约上门时间（仅一般报修）', appointment);
  const submit = h('button', { type: 'submit' }, '提交工单');
  const form = h('form#new-ticket.card', { novalidate: true },
    h('div.row', field('类型', kind), field('紧急程度', urgency), field('类别', category), catList, field('来源', channel)),
    h('h3', '住户'),
    field('查找住户', search), picks, hh, picked, field('联系业主', residentSel), reporter,
    field('位置', location),
    field('描述', description),
    apptField,
    h('div.actions', submit, h('a', { href: '#/tickets' }, h('button.secondary', { type: 'button' }, '取消'))));
  const syncAppt = () => { apptField.hidden = !(kind.value === 'repair' && urgency.value === 'normal'); };
  kind.addEventListener('change', syncAppt);
  urgency.addEventListener('change', syncAppt);
  syncAppt();

  let seq = 0;
  const find = async () => {
    const n = ++seq;
    const text = search.value.trim();
    if (!text) { picks.hidden = true; return; }
    // "1栋 101": a building name narrows the search to that building.
    let buildingId = '';
    const words = text.split(/\s+/);
    const b = buildings.find((x) => x.name === words[0]);
    let q = text;
    if (b && words.length > 1) { buildingId = b.id; q = words.slice(1).join(' '); } else if (b) { buildingId = b.id; q = ''; }
    const l = await get('/households' + qs({ estate_id: estateId, building_id: buildingId, q, status: 'active', page_size: 20 }));
    if (n !== seq) return;
    fill(picks, l.items.length ? l.items.map((x) => h('button', {
      type: 'button', onclick: () => choose(x),
    }, `${x.building} ${x.unit_number}`)) : h('div.muted', '没有找到住户'));
    picks.hidden = false;
  };
  let debounce;
  search.addEventListener('input', () => { clearTimeout(debounce); debounce = setTimeout(() => find().catch(() => {}), 250); });
  const choose = async (x) => {
    household = x;
    hh.value = String(x.id);
    picks.hidden = true;
    search.value = `${x.building} ${x.unit_number}`;
    fill(picked, `已选择：${x.building} ${x.unit_number}`);
    const rs = (await get('/residents' + qs({ household_id: x.id, page_size: 50 }))).items || [];
    fill(residentSel, h('option', { value: '' }, '不通知业主'),
      rs.map((r, i) => h('option', { value: String(r.id), selected: i === 0 }, `${r.name}（${r.role === 'owner' ? '业主' : '住户'} ${r.phone}）`)));
    syncReporter();
  };
  // A resend of the same ticket keeps its key: one ticket, however often it is sent.
  const send = submissions();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = {
      estate_id: estateId, kind: kind.value, urgency: urgency.value, category: category.value.trim(),
      description: description.value.trim(), channel: channel.value,
      household_id: household ? household.id : null,
      resident_id: residentSel.value ? Number(residentSel.value) : null,
      ...(residentSel.value || !reporterPhone.value.trim() ? {}
        : { reporter_phone: reporterPhone.value.replace(/\s+/g, ''), reporter_name: reporterName.value.trim() }),
      location: location.value.trim(),
      appointment: !apptField.hidden && appointment.value ? new Date(appointment.value).toISOString() : null,
    };
    submit.disabled = true;
    try {
      const t = await send('/tickets', body);
      toast(`工单 #${t.id} 已登记`);
      go(`#/tickets/${t.id}`);
    } catch (err) {
      showError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  fill(view, h('h1', '新建工单'), form);
  category.focus();
  // From a lookup (来电查询): the caller's household, when of this estate.
  const preset = Number(params.get('household_id') || 0);
  if (preset) {
    const x = await get(`/households/${preset}`).catch(() => null);
    if (x && x.estate_id === estateId) await choose(x);
  }
}
