// Whom to call (联系人): the card the ticket, arrears case and follow-up
// pages show from their answer's contact — the household's residents with
// their phones masked, each linking to their owner file (业主档案), and the
// household's service needs. 显示号码 reveals a whole number to the roles
// that call residents; the server records every reveal, and the number then
// shows as a tel: link (拨打).
import { post } from './api.js';
import { label } from './labels.js';
import { h, fill, explain } from './ui.js';
import { session, phoneCallers } from './session.js';

export const residentRoles = { owner: '业主', tenant: '租户', contact: '报事人' };
// How a household likes to be contacted (ServiceNeeds.preferred_channel).
export const preferredChannels = { '': '未说明', sms: '短信', wechat: '微信', app: 'App', phone: '电话' };

/** The service needs recorded at move-in, in words; '' when none. */
export function needsText(n) {
  if (!n) return '';
  const parts = [];
  if (n.elderly_at_home) parts.push('家有老人');
  if (n.small_children) parts.push('家有幼儿');
  if (n.pets) parts.push('养宠物');
  if (n.preferred_channel) parts.push(`偏好${label(preferredChannels, n.preferred_channel)}联系`);
  if (n.preferred_times) parts.push(`联系时间：${n.preferred_times}`);
  if (n.notes) parts.push(`备注：${n.notes}`);
  return parts.join('；');
}

/**
 * A resident's masked phone and, for the roles that call residents, the
 * 显示号码 button; ref names the page it is pressed on ("ticket:12").
 */
export function phoneReveal(r, ref) {
  const el = h('span.phone', { dataset: { resident: String(r.id) } }, h('span.masked', r.phone));
  if (!session.has(...phoneCallers)) return el;
  const btn = h('button.link.reveal', { type: 'button', 'aria-label': `显示号码：${r.name}` }, '显示号码');
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const x = await post(`/residents/${r.id}/phone-reveal`, { ref });
      fill(el, h('a.tel', { href: `tel:${x.phone}`, 'aria-label': `拨打 ${r.name} ${x.phone}` }, `拨打 ${x.phone}`));
    } catch (err) {
      btn.disabled = false;
      el.append(h('span.err', { role: 'alert' }, explain(err)));
    }
  });
  el.append(' ', btn);
  return el;
}

/** The 联系人 card of a contact answer (null: the record has no household). */
export function contactCard(contact, ref) {
  const card = h('section.card#contact', h('h2', '联系人'));
  if (!contact) {
    card.append(h('p.muted', '未关联住户'));
    return card;
  }
  const needs = needsText(contact.service_needs);
  card.append(contact.residents.length
    ? h('ul.plain.residents', contact.residents.map((r) => h('li', { dataset: { resident: String(r.id) } },
      h('a', { href: `#/residents/${r.id}` }, h('strong', r.name)), ` ${label(residentRoles, r.role)} `, phoneReveal(r, ref))))
    : h('p.muted', '没有登记住户'),
  needs ? h('p#service-needs', h('span.muted', '服务需求：'), needs) : null);
  return card;
}
