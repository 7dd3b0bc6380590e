// Photos of a record (a ticket, a follow-up visit, a bill dispute): the
// thumbnails, each opening the photo, and a form to add one of the kinds
// the record takes. The server checks the file (JPEG or PNG by content, at
// most 10 MB) and strips its EXIF before anyone sees it.
import { get, upload } from './api.js';
import { attachmentKinds, label } from './labels.js';
import { h, fill, field, select, fmtTime, showError, toast } from './ui.js';

/**
 * A card of the photos at path (e.g. /tickets/12/attachments), with an
 * upload form offering kinds (a map of kind → label) when given.
 */
export function photoCard(path, kinds) {
  const card = h('div.card#photos');
  const grid = h('ul.photos#photo-list');
  const form = kinds ? uploadForm(path, kinds, () => load()) : null;
  const load = async () => {
    let list;
    try { list = await get(path); } catch (err) {
      fill(grid, h('li.muted', '照片暂时无法读取'));
      return;
    }
    const items = list.items || [];
    fill(grid, items.length ? items.map((a, i) => h('li',
      h('a', { href: a.url, target: '_blank', rel: 'noopener' },
        h('img', { src: a.thumb_url, alt: `${label(attachmentKinds, a.kind)}照片 ${i + 1}`, loading: 'lazy', width: 96, height: 96 })),
      h('span.muted', `${label(attachmentKinds, a.kind)} · ${a.uploaded_by === 'resident' ? '业主' : '员工'} · ${fmtTime(a.uploaded_at)}`)))
      : h('li.muted', '暂无照片'));
  };
  fill(card, h('h2', '照片'), grid, form);
  load();
  return card;
}

function uploadForm(path, kinds, reload) {
  const first = Object.keys(kinds)[0];
  const form = h('form#photo-upload',
    h('div.row',
      field('照片类型', select('kind', kinds, first)),
      field('照片', h('input', { type: 'file', name: 'file', accept: 'image/jpeg,image/png', required: true })),
      h('button', { type: 'submit' }, '上传照片')),
    h('p.muted', 'JPEG 或 PNG，不超过 10 MB；苹果手机的 HEIC 照片请先转为 JPEG。位置等拍摄信息会被去除。'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button');
    btn.disabled = true;
    try {
      await upload(path, new FormData(form));
      form.reset();
      toast('照片已上传');
      await reload();
    } catch (err) { showError(form, err); } finally { btn.disabled = false; }
  });
  return form;
}
