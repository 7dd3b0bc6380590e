// The console's shell: the header (who is signed in, the estate picker, the
// navigation) and the hash router that draws one page at a time into #view.
// The session and navigation helpers the pages use are in session.js: the
// pages import that leaf, never this module.
import { api, whenSignedOut } from './api.js';
import { roles } from './labels.js';
import { h, fill, toast } from './ui.js';
import {
  session, desk, managersView, collectors, caseManagers, revealReaders, legalViewers, financeHub, importers, leave, route, drawWith, loadSession, useEstateZone,
  home,
} from './session.js';
import { loginPage, passwordPage } from './login.js';
import { ticketListPage, newTicketPage } from './tickets.js';
import { ticketPage } from './ticket.js';
import { dashboardPage, dashboardListPage } from './dashboard.js';
import { policyPage } from './policy.js';
import { followUpListPage, followUpPage, moveInPage } from './followups.js';
import { inspectionsPage, inspectionPage } from './inspections.js';
import { contractListPage, contractPage } from './contracts.js';
import { boardPage, casePage, legalQueuePage, periodBillsPage } from './arrears.js';
import { lookupPage } from './lookup.js';
import { letterPage } from './letters.js';
import { ownerFilePage, phoneRevealsPage } from './residents.js';
import { inboxPage, startInbox, stopInbox } from './inbox.js';
import { legalListPage, legalCasePage } from './legal.js';
import { receiptPage, receiptListPage } from './receipts.js';
import { reconciliationPage } from './reconciliation.js';
import { paymentsPage } from './payments.js';
import { financePage } from './finance.js';
import { standardsPage, readingsPage, billingPage, billPage, feeRoles, financeRoles } from './fees.js';
import { importsPage } from './imports.js';
import { outageListPage, outagePage, noticeListPage } from './outages.js';
import { surveyListPage, surveyPage } from './surveys.js';

const pages = [
  { re: /^\/login$/, page: loginPage, open: true },
  { re: /^\/tickets$/, page: ticketListPage },
  { re: /^\/lookup$/, page: lookupPage, roles: desk },
  { re: /^\/tickets\/new$/, page: newTicketPage, roles: desk },
  { re: /^\/tickets\/(\d+)$/, page: ticketPage },
  { re: /^\/dashboard$/, page: dashboardPage, roles: managersView },
  { re: /^\/dashboard\/today$/, page: dashboardListPage, roles: managersView },
  { re: /^\/policy$/, page: policyPage, roles: managersView },
  { re: /^\/followups$/, page: followUpListPage },
  { re: /^\/followups\/(\d+)$/, page: followUpPage },
  { re: /^\/moveins\/new$/, page: moveInPage, roles: desk },
  { re: /^\/arrears$/, page: boardPage, roles: collectors },
  { re: /^\/arrears\/legal$/, page: legalQueuePage, roles: caseManagers },
  { re: /^\/arrears\/(\d+)$/, page: casePage, roles: collectors },
  { re: /^\/bills$/, page: periodBillsPage, roles: collectors },
  { re: /^\/finance\/bills$/, page: periodBillsPage, roles: collectors },
  { re: /^\/letters\/(\d+)$/, page: letterPage, roles: collectors },
  { re: /^\/residents\/(\d+)$/, page: ownerFilePage },
  { re: /^\/phone-reveals$/, page: phoneRevealsPage, roles: revealReaders },
  { re: /^\/inbox$/, page: inboxPage },
  { re: /^\/legal$/, page: legalListPage, roles: legalViewers },
  { re: /^\/legal\/(\d+)$/, page: legalCasePage, roles: legalViewers },
  { re: /^\/finance\/receipts$/, page: receiptListPage },
  { re: /^\/finance\/receipts\/(\d+)$/, page: receiptPage },
  { re: /^\/finance\/reconciliation$/, page: reconciliationPage, roles: ['finance', 'estate_manager', 'company_admin'] },
  { re: /^\/finance\/payments$/, page: paymentsPage, roles: collectors },
  { re: /^\/finance$/, page: financePage, roles: financeHub },
  { re: /^\/finance\/standards$/, page: standardsPage, roles: feeRoles },
  { re: /^\/finance\/readings$/, page: readingsPage, roles: feeRoles },
  { re: /^\/finance\/billing$/, page: billingPage, roles: financeRoles },
  { re: /^\/finance\/bills\/(\d+)$/, page: billPage, roles: collectors },
  { re: /^\/finance\/imports$/, page: importsPage, roles: importers },
  // Inspections (巡检/维保).
  { re: /^\/inspections$/, page: inspectionsPage },
  { re: /^\/inspections\/(\d+)$/, page: inspectionPage },
  // Service contracts (物业服务合同).
  { re: /^\/contracts$/, page: contractListPage, roles: managersView },
  { re: /^\/contracts\/(\d+)$/, page: contractPage, roles: managersView },

  { re: /^\/outages$/, page: outageListPage },
  { re: /^\/outages\/(\d+)$/, page: outagePage },
  { re: /^\/notices$/, page: noticeListPage },

  // Satisfaction surveys (满意度调查).
  { re: /^\/surveys$/, page: surveyListPage, roles: managersView },
  { re: /^\/surveys\/(\d+)$/, page: surveyPage, roles: managersView },
];

const nav = [
  { href: '#/tickets', text: '服务台' },
  { href: '#/lookup', text: '来电查询', roles: desk },
  { href: '#/tickets/new', text: '新建工单', roles: desk },
  { href: '#/dashboard', text: '管理看板', roles: managersView },
  { href: '#/followups', text: '入住回访', roles: desk },
  { href: '#/policy', text: '服务策略', roles: managersView },
  { href: '#/arrears', text: '催缴看板', roles: collectors },
  { href: '#/arrears/legal', text: '法务审批', roles: caseManagers },
  // Managers reach 法务案件 from 法务审批 and 号码查看记录 from 管理看板:
  // one header row at 1366 px.
  { href: '#/legal', text: '法务案件', roles: ['legal'] },
  // The finance pages (#/finance/…) are reached from 收费管理's cards.
  { href: '#/finance', text: '收费', roles: financeHub },

  // The service desk plans outages here; supervisors and managers reach
  // them from 管理看板 (停水停电与公告): one header row at 1366 px.
  { href: '#/outages', text: '停水停电', roles: ['customer_service'] },
  // Technicians work their inspections here; managers reach them from 管理看板.
  { href: '#/inspections', text: '设备巡检', roles: ['technician'] },
];

/** Opens or closes the header's menu (the navigation on a phone). */
function showMenu(open) {
  document.getElementById('top').classList.toggle('open', open);
  document.getElementById('menu-toggle').setAttribute('aria-expanded', String(open));
}

function drawHeader() {
  const top = document.getElementById('top');
  showMenu(false);
  if (!session.me) { top.hidden = true; stopInbox(); return; }
  top.hidden = false;
  startInbox();
  document.getElementById('inbox-link').classList.toggle('on', route().path === '/inbox');
  document.getElementById('who-name').textContent = session.me.name || session.me.username;
  document.getElementById('who-role').textContent = roles[session.me.role] || session.me.role;
  const pick = document.getElementById('estate-pick');
  fill(pick);
  if (!session.me.estate_id) pick.append(h('option', { value: '0' }, '全部小区'));
  for (const e of session.estates) {
    if (session.me.estate_id && e.id !== session.me.estate_id) continue;
    pick.append(h('option', { value: String(e.id), selected: e.id === session.estateId }, e.name));
  }
  pick.disabled = !!session.me.estate_id;
  const here = route().path;
  fill(document.getElementById('nav'), nav.filter((n) => !n.roles || session.has(...n.roles)).map((n) =>
    h('a', { href: n.href, className: here === n.href.slice(1) || (n.href === '#/finance' && here.startsWith('/finance/')) ? 'on' : '' }, n.text)));
}

async function render() {
  leave();
  const view = document.getElementById('view');
  const { path, params } = route();
  if (!session.me && path !== '/login') {
    try { await loadSession(); } catch (err) {
      if (err.status === 401 || err.status === 403) { location.hash = '#/login'; return; }
      fill(view, h('div.banner.error', '无法加载：' + err.message));
      return;
    }
  }
  if (session.me && session.me.must_change_password && path !== '/login') {
    passwordPage(view);
    return;
  }
  drawHeader();
  for (const p of pages) {
    const m = path.match(p.re);
    if (!m) continue;
    if (!p.open && p.roles && !session.has(...p.roles)) {
      fill(view, h('div.banner.error', '您的角色无权查看此页面'));
      return;
    }
    fill(view, h('p.muted', '正在加载…'));
    try {
      await p.page(view, { params, match: m });
    } catch (err) {
      if (err.status === 401) return;
      fill(view, h('div.banner.error', { role: 'alert' }, err.status === 404 ? '未找到（可能不属于您所在的小区）' : '出错了：' + err.message));
    }
    return;
  }
  fill(view, h('div.banner.error', '没有这个页面'), h('a', { href: home() }, '回到首页'));
}

async function signOut() {
  try { await api('DELETE', '/sessions/current'); } catch (_) { /* already ended */ }
  session.me = null;
  stopInbox();
  sessionStorage.removeItem('wuye.estate');
  location.hash = '#/login';
}

whenSignedOut(() => {
  if (session.me) toast('登录已过期，请重新登录');
  session.me = null;
  stopInbox();
  location.hash = '#/login';
});

document.getElementById('sign-out').addEventListener('click', signOut);
document.getElementById('menu-toggle').addEventListener('click', () => showMenu(!document.getElementById('top').classList.contains('open')));
document.getElementById('nav').addEventListener('click', (e) => { if (e.target.closest('a')) showMenu(false); });
document.getElementById('estate-pick').addEventListener('change', (e) => {
  session.estateId = Number(e.target.value);
  sessionStorage.setItem('wuye.estate', String(session.estateId));
  useEstateZone();
  render();
});
drawWith(render);
window.addEventListener('hashchange', render);
render();
