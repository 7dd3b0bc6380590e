// The inbox (消息): the signed-in person's notifications — new work,
// warnings, escalations, assignments. The header's 消息 link shows the
// unread count, kept live by the server's event stream (EventSource, which
// reconnects by itself and resumes after the last event it had); the
// #/inbox page lists them, and opening one marks it read.
import { get, post } from './api.js';
import { h, fill, fmtTime, toast } from './ui.js';
import { go, onLeave } from './session.js';

let source = null;
let retry = null;
let lastId = 0;
let unread = 0;
const listeners = new Set();

/** The console page of what a message is about: "ticket:12" → the ticket,
 * "followup:8" → the visit, "case:7" → its household's arrears case. */
function refLink(it) {
  const [kind, id] = String(it.ref || '').split(':');
  if (kind === 'ticket' && id) return `#/tickets/${id}`;
  if (kind === 'followup' && id) return `#/followups/${id}`;
  if (kind === 'case') return it.household_id ? `#/arrears/${it.household_id}` : '#/arrears';
  return '';
}

/** Shows n on the header's badge. */
function showUnread(n) {
  unread = n;
  const badge = document.getElementById('inbox-count');
  if (!badge) return;
  badge.textContent = n > 99 ? '99+' : String(n);
  badge.hidden = n <= 0;
  document.getElementById('inbox-link').setAttribute('aria-label', n > 0 ? `消息，${n} 条未读` : '消息');
}

/** Starts listening for new messages (once per signed-in session). */
export function startInbox() {
  if (source) return;
  const url = '/api/v1/inbox/stream' + (lastId ? `?after=${lastId}` : '');
  source = new EventSource(url);
  source.addEventListener('unread', (e) => showUnread(JSON.parse(e.data).unread));
  source.addEventListener('message', (e) => {
    const { item, unread: n } = JSON.parse(e.data);
    lastId = Math.max(lastId, item.id);
    showUnread(n);
    if (listeners.size) listeners.forEach((fn) => fn(item));
    else toast('新消息：' + item.subject);
  });
  source.addEventListener('open', () => { clearTimeout(retry); });
  source.addEventListener('error', () => {
    // A closed source (the server refused it) does not reconnect by itself:
    // try again a little later, from the last message seen.
    // Asking for the count tells an ended session (401 signs the console
    // out) from a passing fault.
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      get('/inbox/unread-count').then((r) => showUnread(r.unread), (err) => err.status === 401)
        .then((signedOut) => { if (!signedOut) retry = setTimeout(startInbox, 5000); });
    }
  });
}

/** Stops listening (signing out). */
export function stopInbox() {
  clearTimeout(retry);
  if (source) source.close();
  source = null;
  lastId = 0;
  showUnread(0);
}

/** Marks message id read and updates the badge. */
async function markRead(it) {
  if (it.read_at) return;
  const done = await post(`/inbox/${it.id}/read`);
  it.read_at = done.read_at;
  showUnread(Math.max(unread - 1, 0));
}

function itemRow(it, redraw) {
  const open = async () => {
    try { await markRead(it); } catch (err) { toast('标记已读失败：' + err.message); return; }
    const to = refLink(it);
    if (to) go(to); else redraw();
  };
  return h('li', { className: 'inbox-item' + (it.read_at ? '' : ' unread'), dataset: { id: String(it.id) } },
    h('button.inbox-open', { type: 'button', onclick: open },
      h('span.inbox-head', h('strong', it.subject || '通知'), h('span.muted', fmtTime(it.created_at))),
      h('span.inbox-body', it.body),
      it.read_at ? null : h('span.badge.st', '未读')));
}

/** #/inbox: the person's messages, newest first. */
export async function inboxPage(view, { params }) {
  const onlyUnread = params.get('unread') === '1';
  const data = await get('/inbox?page_size=50' + (onlyUnread ? '&unread=true' : ''));
  showUnread(data.unread);
  const items = data.items;
  const list = h('ul.inbox');
  const draw = () => fill(list, items.length ? items.map((it) => itemRow(it, draw)) : h('li.muted', '暂无消息'));
  const readAll = h('button', { type: 'button', disabled: data.unread === 0, onclick: async () => {
    try {
      await post('/inbox/read-all');
    } catch (err) { toast('操作失败：' + err.message); return; }
    const now = new Date().toISOString();
    items.forEach((it) => { it.read_at = it.read_at || now; });
    showUnread(0);
    readAll.disabled = true;
    draw();
  } }, '全部已读');
  const fresh = (it) => {
    if (items.some((x) => x.id === it.id)) return;
    items.unshift(it);
    readAll.disabled = false;
    draw();
  };
  listeners.add(fresh);
  onLeave(() => listeners.delete(fresh));
  draw();
  fill(view,
    h('div.row.head', h('h1', '消息'), h('div.actions',
      h('a', { href: onlyUnread ? '#/inbox' : '#/inbox?unread=1' }, onlyUnread ? '查看全部' : '只看未读'), readAll)),
    data.total > items.length ? h('p.muted', `显示最近 ${items.length} 条，共 ${data.total} 条`) : null,
    list);
}
