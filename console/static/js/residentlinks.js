// 住户链接: the signed links a resident acts through by themselves, without
// signing in (their statement, a dispute, a promise to pay, a report). The
// owner file lists the resident's links with their state and uses, issues a
// new one to copy into a message, and revokes one. Confirm and rating links
// name a ticket and go out with the ticket's messages.
import { get, post } from './api.js';
import { label } from './labels.js';
import { h, fill, fmtTime, table, field, select, explain } from './ui.js';
import { session } from './session.js';

export const linkIssuers = ['customer_service', 'supervisor', 'estate_manager', 'finance', 'company_admin'];
export const linkPurposes = { my_bill: '我的账单', dispute: '账单异议', promise: '承诺缴费', report: '报事报修', rate: '维修评价', confirm: '维修确认' };
const linkStates = { active: '有效', used: '已使用', expired: '已过期', revoked: '已撤销' };
// The purposes a link can be issued for here: those naming no ticket.
const issuable = { my_bill: linkPurposes.my_bill, dispute: linkPurposes.dispute, promise: linkPurposes.promise, report: linkPurposes.report };

/** The 住户链接 card of resident id, for the roles that issue links (null for others). */
export function residentLinksCard(id) {
  if (!session.has(...linkIssuers)) return null;
  const list = h('div#resident-link-list');
  const shown = h('div#resident-link-issued');
  const purpose = select('purpose', issuable, 'my_bill');
  const form = h('form.row#resident-link-form', field('用途', purpose), h('button', { type: 'submit' }, '发放链接'));
  const draw = async () => {
    const l = await get(`/residents/${id}/links?page_size=50`);
    fill(list, table('resident-links', ['用途', '状态', '有效期至', '使用', ''], l.items.map((x) => h('tr', { dataset: { link: String(x.id) } },
      h('td', label(linkPurposes, x.purpose)),
      h('td', h('span.badge', label(linkStates, x.state))),
      h('td', fmtTime(x.expires_at, true)),
      h('td', x.uses.length ? `${x.uses.length} 次，最近 ${fmtTime(x.uses[0].used_at, true)}` : '未使用'),
      h('td', x.state === 'active' ? revokeButton(x, draw) : ''))), '还没有发放过链接'));
  };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const x = await post(`/residents/${id}/links`, { purpose: purpose.value });
      fill(shown, field('链接（复制后发给住户）', h('input#resident-link-url', { value: x.url, readOnly: true })));
      await draw();
    } catch (err) {
      fill(shown, h('p.err', { role: 'alert' }, explain(err)));
    }
  });
  draw().catch((err) => fill(list, h('p.err', { role: 'alert' }, explain(err))));
  return h('section.card#resident-links-card', h('h2', '住户链接'),
    h('p.muted', '住户无需登录，通过链接自行查看账单、提出异议、承诺缴费或报事报修；每次使用都有记录。'), form, shown, list);
}

function revokeButton(x, after) {
  const b = h('button.link', { type: 'button', 'aria-label': `撤销链接 #${x.id}` }, '撤销');
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      await post(`/resident-links/${x.id}/revoke`);
      await after();
    } catch (err) {
      b.disabled = false;
      b.after(h('span.err', { role: 'alert' }, explain(err)));
    }
  });
  return b;
}
