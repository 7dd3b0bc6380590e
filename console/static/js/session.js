// The signed-in session and the navigation the pages share: who is signed
// in, the estate in view, the role groups, the hash route, going to a route
// and what runs when a page is left. A leaf: it imports no page and not
// app.js; app.js hands it the router with drawWith.
import { get } from './api.js';
import { setTimeZone } from './ui.js';

/** The signed-in session, shared by the pages. */
export const session = {
  me: null,
  estates: [],
  estateId: 0, // 0: every estate (company-level staff only)
  system: null,
  has(...rs) { return this.me && rs.includes(this.me.role); },
  estate(id) { return this.estates.find((e) => e.id === id); },
};

export const desk = ['customer_service', 'supervisor', 'estate_manager', 'company_admin'];
export const managersView = ['supervisor', 'estate_manager', 'company_admin'];
export const policyEditors = ['estate_manager', 'company_admin'];
// Arrears: who works cases (everyone but technicians), who decides on them.
export const collectors = ['customer_service', 'supervisor', 'estate_manager', 'finance', 'legal', 'company_admin'];
export const caseManagers = ['estate_manager', 'company_admin'];
// Who works the legal queue (法务案件): legal staff, and the managers above.
export const legalViewers = ['legal', 'estate_manager', 'company_admin'];
// Who is offered the Temporal Web UI, to look inside a process.
export const processViewers = ['estate_manager', 'company_admin'];
// Who may reveal a resident's whole phone (显示号码; every reveal is
// recorded), and who reads the log of reveals (查看记录).
export const phoneCallers = ['customer_service', 'supervisor', 'estate_manager', 'finance'];
export const revealReaders = ['estate_manager', 'company_admin'];
// Who works the fees (收费管理, #/finance): finance and the managers above.
export const financeHub = ['finance', 'estate_manager', 'company_admin'];
/** Roles that import files (#/finance/imports); the server checks each kind. */
export const importers = ['customer_service', 'supervisor', 'estate_manager', 'finance', 'company_admin'];

let cleanup = [];
/** Registers a function to run when the page is left (timers). */
export function onLeave(fn) { cleanup.push(fn); }
/** Runs what the page being left registered with onLeave. */
export function leave() { for (const fn of cleanup.splice(0)) fn(); }

/**
 * The page a role lands on: legal staff their queue, finance and the
 * managers 收费管理, everyone else the service desk.
 */
export function home() {
  if (session.has('legal')) return '#/legal';
  return session.has(...financeHub) ? '#/finance' : '#/tickets';
}

/** The current route: path and query parameters of the hash. */
export function route() {
  const raw = location.hash.replace(/^#/, '') || home().slice(1);
  const [path, query = ''] = raw.split('?');
  return { path, params: new URLSearchParams(query) };
}

let draw = () => {};
/** Sets the function that draws the current route (the router's). */
export function drawWith(fn) { draw = fn; }

/** Goes to a hash route. */
export function go(hash) {
  if (location.hash === hash) draw();
  else location.hash = hash;
}

/** Loads who is signed in, the estates they see and the system's links. */
export async function loadSession() {
  session.me = await get('/me');
  if (session.me.must_change_password) return; // nothing else answers until it is changed
  const list = await get('/estates?page_size=200');
  session.estates = list.items || [];
  if (session.me.estate_id) {
    session.estateId = session.me.estate_id;
  } else {
    const saved = Number(sessionStorage.getItem('wuye.estate') || 0);
    session.estateId = session.estate(saved) ? saved : 0;
  }
  try { session.system = await get('/system'); } catch (_) { session.system = null; }
  useEstateZone();
}

/** Times show in the estate's zone (all estates: the first one's). */
export function useEstateZone() {
  const e = session.estate(session.estateId) || session.estates[0];
  setTimeZone(e && e.time_zone);
}

/** Signs in: the cookie carries the session from now on. */
export async function signedIn() {
  session.me = null;
  await loadSession();
  go(home());
}
