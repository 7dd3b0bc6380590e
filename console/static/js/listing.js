// What every list shares (工单, 入住回访, 催缴看板): a search box, column
// headers that sort (aria-sort), the person's saved filters, the 导出
// control (CSV or Excel) and "加载更多" by cursor. The list's state lives in the hash route's
// query (q, sort and its filters), so a saved filter is that query string.
import { get, post, del, qs } from './api.js';
import { h, fill, toast, showError } from './ui.js';
import { go } from './session.js';

/**
 * The controls of one list. route is its hash route ('#/tickets'), list its
 * saved-filter list name ('tickets'), path its API path ('/tickets'), and
 * params the route's query; apiParams(extra) are the API's query parameters.
 */
export function listControls({ route, list, path, params, apiParams }) {
  const sort = params.get('sort') || '';
  const goWith = (p) => { unpaged(p); go(route + (p.toString() ? '?' + p.toString() : '')); };
  const set = (k, v) => {
    const p = new URLSearchParams(params);
    if (v) p.set(k, v); else p.delete(k);
    goWith(p);
  };

  const search = h('input#list-search', {
    type: 'search', name: 'q', value: params.get('q') || '', maxLength: 100,
    placeholder: '搜索：单号、房号（如 1-101）、姓名或内容', 'aria-label': '搜索',
  });
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') set('q', search.value.trim()); });
  search.addEventListener('search', () => set('q', search.value.trim()));

  // On a phone the header row is hidden (rows are cards): a select sorts.
  const sortSel = h('select#list-sort.phone-only', { name: 'sort', 'aria-label': '排序' }, h('option', { value: '' }, '默认排序'));
  sortSel.addEventListener('change', () => set('sort', sortSel.value));

  /** A header cell that sorts the list by field: ascending, then descending. */
  const th = (text, field, cls) => {
    sortSel.append(h('option', { value: field, selected: sort === field }, `${text} 升序`),
      h('option', { value: '-' + field, selected: sort === '-' + field }, `${text} 降序`));
    const state = sort === field ? 'ascending' : sort === '-' + field ? 'descending' : 'none';
    const next = state === 'ascending' ? '-' + field : field;
    return h('th' + (cls || ''), { 'aria-sort': state, dataset: { sort: field } },
      h('button.sort', { type: 'button', title: '按此列排序', onclick: () => set('sort', next) },
        text));
  };

  // Saved filters (保存筛选): the person's own, of this list.
  const saved = h('select#saved-filters', { name: 'saved_filter', 'aria-label': '已保存的筛选' }, h('option', { value: '' }, '已保存的筛选…'));
  const name = h('input#filter-name', { name: 'filter_name', placeholder: '筛选名称', maxLength: 50, hidden: true });
  const current = unpaged(new URLSearchParams(params));
  let filters = [];
  const loadSaved = async () => {
    filters = (await get('/saved-filters' + qs({ list }))).items || [];
    fill(saved, h('option', { value: '' }, '已保存的筛选…'),
      filters.map((f) => h('option', { value: String(f.id), selected: f.query === current.toString() }, f.name)));
    remove.hidden = !saved.value;
  };
  saved.addEventListener('change', () => {
    const f = filters.find((x) => String(x.id) === saved.value);
    if (f) goWith(new URLSearchParams(f.query));
  });
  const save = h('button.secondary#save-filter', { type: 'button' }, '保存筛选');
  save.addEventListener('click', async () => {
    if (name.hidden) { name.hidden = false; name.focus(); return; }
    try {
      await post('/saved-filters', { list, name: name.value.trim(), query: current.toString() });
      toast('筛选已保存');
      name.value = '';
      name.hidden = true;
      await loadSaved();
    } catch (err) { showError(box, err); }
  });
  name.addEventListener('keydown', (e) => { if (e.key === 'Enter') save.click(); });
  const remove = h('button.secondary#delete-filter', { type: 'button', hidden: true }, '删除筛选');
  remove.addEventListener('click', async () => {
    try { await del('/saved-filters/' + saved.value); toast('筛选已删除'); await loadSaved(); } catch (err) { showError(box, err); }
  });
  loadSaved().catch(() => {});

  const box = h('div.list-tools', search, sortSel, saved, remove, name, save, exportControl(path, apiParams({})));

  // "加载更多": the rows after the last one shown, by cursor.
  const more = h('button.secondary#load-more', { type: 'button', hidden: true }, '加载更多');
  let cursor = '';
  let extended = false;
  /** Shows whether more rows follow the page just drawn (its next_cursor). */
  const after = (l) => { cursor = l.next_cursor || ''; more.hidden = !cursor; };
  /** Sets what appends a page of rows. */
  const onMore = (append) => {
    more.onclick = async () => {
      more.disabled = true;
      try {
        const l = await get(path + qs(apiParams({ cursor })));
        extended = true;
        append(l.items);
        after(l);
      } finally { more.disabled = false; }
    };
  };
  return { tools: box, th, more, after, onMore, extended: () => extended };
}

/**
 * The 导出 control of a list: links that download every row of the API list
 * path under params (the list's filters and sort, as shown) as CSV or as an
 * Excel workbook.
 */
export function exportControl(path, params) {
  const link = (format, text, title) => h(`a.button.secondary#export-${format}`, {
    href: '/api/v1' + path + qs({ ...params, format }), download: '', title,
  }, text);
  return h('span.export-tools', { role: 'group', 'aria-label': '导出' }, h('span.muted', '导出'),
    link('csv', 'CSV', '按当前筛选和排序导出 CSV（Excel 可直接打开）'),
    link('xlsx', 'Excel', '按当前筛选和排序导出 Excel 工作簿'));
}

/** Removes from route parameters p where the list was paged to; returns p. */
export function unpaged(p) {
  ['page', 'cursor', 'before'].forEach((k) => p.delete(k));
  return p;
}

/**
 * The route parameters that page a list: cursor (the rows after a row) or
 * before (the rows before one), for the API's cursor and before.
 */
export function pagedBy(params) {
  return { cursor: params.get('cursor') || '', before: params.get('before') || '' };
}

/**
 * 上一页 / 下一页 of the page l just drawn, by its prev_cursor and
 * next_cursor: every page reads as fast as the first, however deep.
 */
export function cursorPager(route, params, l) {
  const to = (k, v) => {
    const p = unpaged(new URLSearchParams(params));
    p.set(k, v);
    return route + '?' + p.toString();
  };
  return [l.prev_cursor ? h('a.prev', { href: to('before', l.prev_cursor) }, '上一页') : null,
    l.next_cursor ? h('a.next', { href: to('cursor', l.next_cursor) }, '下一页') : null];
}
