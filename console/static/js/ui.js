// Small DOM helpers: an element builder, time formatting, live countdowns,
// field errors and a toast.
import { explain, fieldName, reason } from './labels.js';

/** h('tag.class#id', {attrs}, ...children) builds an element. */
export function h(spec, attrs, ...children) {
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9]*)(.*)$/) || [];
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && k !== 'list' && k !== 'form') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces el's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const pad = (n) => String(n).padStart(2, '0');

let zone = 'Asia/Shanghai';
let parts = null;
/** Sets the time zone times are shown in: the estate's. */
export function setTimeZone(tz) {
  try {
    parts = new Intl.DateTimeFormat('zh-CN', { timeZone: tz || 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    zone = tz || 'Asia/Shanghai';
  } catch (_) {
    parts = null;
  }
}
setTimeZone(zone);

/** "03-04 15:20" in the estate's time zone. */
export function fmtTime(iso, withYear) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (!parts) return d.toLocaleString('zh-CN');
  const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
  const s = `${p.month}-${p.day} ${p.hour}:${p.minute}`;
  return withYear ? `${p.year}-${s}` : s;
}

/** "1天2小时" / "5分12秒" for a number of seconds. */
export function fmtDuration(sec) {
  sec = Math.abs(Math.round(sec));
  const d = Math.floor(sec / 86400), hh = Math.floor(sec % 86400 / 3600), m = Math.floor(sec % 3600 / 60), s = sec % 60;
  if (d) return `${d}天${hh}小时`;
  if (hh) return `${hh}小时${m}分`;
  if (m) return `${m}分${pad(s)}秒`;
  return `${s}秒`;
}

/** A countdown to due that turns amber after warn and red once past. */
export function countdown(due, warn) {
  const el = h('span.cd', { dataset: { due: due || '', warn: warn || '' } });
  tick(el, Date.now());
  return el;
}

function tick(el, now) {
  const due = el.dataset.due ? Date.parse(el.dataset.due) : NaN;
  if (isNaN(due)) { el.textContent = '—'; return; }
  const warn = el.dataset.warn ? Date.parse(el.dataset.warn) : NaN;
  const left = (due - now) / 1000;
  el.classList.toggle('breached', left < 0);
  el.classList.toggle('risk', left >= 0 && !isNaN(warn) && now >= warn);
  el.textContent = left < 0 ? `已超时 ${fmtDuration(left)}` : `剩余 ${fmtDuration(left)}`;
  const row = el.closest('tr[data-live]');
  if (row) {
    row.classList.toggle('breached', left < 0);
    row.classList.toggle('risk', left >= 0 && !isNaN(warn) && now >= warn);
  }
}

setInterval(() => {
  const now = Date.now();
  document.querySelectorAll('.cd[data-due]').forEach((el) => tick(el, now));
}, 1000);

let toastTimer;
/** Shows a short message at the bottom of the screen. */
export function toast(msg) {
  const el = document.getElementById('toast');
  el.textContent = msg;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

/** Clears the field errors inside form. */
export function clearErrors(form) {
  form.querySelectorAll('.err[data-for]').forEach((e) => e.remove());
  form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  form.querySelectorAll('.banner.error').forEach((e) => e.remove());
}

/**
 * Shows err inside form: beside the input named by err.field (or the
 * nearest enclosing path) when there is one, else as a banner on top.
 */
export function showError(form, err) {
  clearErrors(form);
  if (err && err.code === 'invalid_input' && err.field) {
    const input = findField(form, err.field);
    if (input) {
      input.classList.add('invalid');
      const msg = h('div.err', { dataset: { for: err.field }, role: 'alert' }, reason(err.message));
      (input.closest('.fld, label.f, td') || input).append(msg);
      input.focus({ preventScroll: false });
      input.scrollIntoView({ block: 'center' });
      return;
    }
  }
  form.prepend(h('div.banner.error', { role: 'alert' }, explain(err)));
}

export function findField(form, path) {
  for (let p = path; p; p = p.replace(/(\[\d+\]|\.[^.[\]]+)$/, '')) {
    const el = form.querySelector(`[data-path="${CSS.escape(p)}"], [name="${CSS.escape(p)}"]`);
    if (el) return el;
    if (!/(\[\d+\]|\.[^.[\]]+)$/.test(p)) break;
  }
  return null;
}

/**
 * The browser's local time as ISO text without a zone
 * ("2026-09-10T14:05:00.000"): its first 10 characters are today's date, its
 * first 16 what a datetime-local input takes.
 */
export function localISO(d = new Date()) {
  const x = new Date(d);
  x.setMinutes(x.getMinutes() - x.getTimezoneOffset());
  return x.toISOString().slice(0, -1);
}

/** A civil date of the API ("2025-02-10", sent as 00:00 UTC), or —. */
export const civil = (iso) => (iso ? String(iso).slice(0, 10) : '—');

/** A table of rows under named columns, or a line saying there are none. */
export function table(id, heads, rows, none) {
  if (!rows.length) return h('p.muted', none);
  return h('div.table-wrap', h(`table.list#${id}`, h('thead', h('tr', heads.map((x) => h('th', x)))), h('tbody', rows)));
}

/** A labelled field: <label class="f">text<input…></label>. */
export function field(text, input) {
  return h('label.f', text, input);
}

/** A <select> of a label map, with an optional empty choice. */
export function select(name, map, value, empty) {
  const s = h('select', { name });
  if (empty !== undefined) s.append(h('option', { value: '' }, empty));
  for (const [k, v] of Object.entries(map)) s.append(h('option', { value: k, selected: k === value }, v));
  return s;
}

export { explain, fieldName };

/**
 * Parses an amount of yuan typed by a person ("1,234.5", "¥80") into whole
 * fen without floating-point arithmetic: the decimal string is split into
 * yuan and at most two digits of fen. Returns null when it is not an amount.
 */
export function yuanToFen(text) {
  const s = String(text || '').replace(/[\s,，¥￥元]/g, '');
  const m = s.match(/^(\d{1,10})(?:\.(\d{0,2}))?$/);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** "¥1,234.56" for an integer number of fen. */
export function fmtYuan(fen) {
  const n = Number(fen) || 0;
  const abs = Math.abs(n);
  const whole = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** "1234.56": fen as a plain yuan amount for a form field. */
export function fenToYuan(fen) {
  const n = Math.abs(Number(fen) || 0);
  return `${Number(fen) < 0 ? '-' : ''}${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
}

/**
 * Labels every cell of table's body and foot with its column's header
 * (data-label), so that a narrow screen can show each row as a card of
 * labelled values (app.css). A table without a header row is left alone; a
 * cell spanning the whole row (a "nothing here" message) needs no label, and
 * a column without a header name holds a row's actions.
 */
export function labelCells(table) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head) return;
  const names = [];
  for (const th of head.cells) for (let i = 0; i < th.colSpan; i++) names.push(th.textContent.trim());
  table.classList.add('cards');
  for (const section of [...table.tBodies, table.tFoot].filter(Boolean)) {
    for (const row of section.rows) {
      let col = 0;
      for (const cell of row.cells) {
        if (cell.colSpan < names.length && !cell.hasAttribute('data-label')) {
          cell.dataset.label = names.slice(col, col + cell.colSpan).find(Boolean) || '操作';
        }
        col += cell.colSpan;
      }
    }
  }
}

// Every page builds its tables with h() and fills their bodies later (lists
// refresh): label them whenever rows arrive, wherever they are drawn.
new MutationObserver((records) => {
  const tables = new Set();
  for (const r of records) {
    for (const n of r.addedNodes) {
      if (n.nodeType !== Node.ELEMENT_NODE) continue;
      const t = n.closest('table');
      if (t) tables.add(t);
      n.querySelectorAll('table').forEach((x) => tables.add(x));
    }
  }
  tables.forEach(labelCells);
}).observe(document.body, { childList: true, subtree: true });

/**
 * Asks to confirm in a modal dialog that states facts (rows of [label,
 * value]); resolves true when confirmed, false when cancelled or closed.
 */
export function confirmDialog({ title, rows, note, ok = '确认', cancel = '取消' }) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'button', dataset: { confirm: 'yes' } }, ok);
    const no = h('button.secondary', { type: 'button', dataset: { confirm: 'no' } }, cancel);
    const dlg = h('dialog.confirm#confirm-dialog', { 'aria-label': title },
      h('h2', title),
      h('dl.kv', rows.map(([k, v]) => [h('dt', k), h('dd', v)])),
      note ? h('p.muted', note) : null,
      h('div.actions', yes, no));
    const done = (answer) => { dlg.close(); dlg.remove(); resolve(answer); };
    yes.addEventListener('click', () => done(true));
    no.addEventListener('click', () => done(false));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
    no.focus();
  });
}
