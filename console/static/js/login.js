// The sign-in page.
import { post, put } from './api.js';
import { h, fill, field, showError } from './ui.js';
import { session, signedIn } from './session.js';

export async function loginPage(view) {
  session.me = null;
  document.getElementById('top').hidden = true;
  const user = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const btn = h('button', { type: 'submit' }, '登录');
  const form = h('form#login-form', { novalidate: true },
    h('h1', '物业服务控制台'), h('p.muted', '请使用员工账号登录'),
    field('用户名', user), field('密码', pass), btn);
  onSubmit(form, btn, async () => {
    await post('/sessions', { username: user.value.trim(), password: pass.value });
    await signedIn();
  });
  fill(view, h('div.card.login', form));
  user.focus();
}

// The first sign-in with a one-time password: the account sets its own
// before anything else (the server refuses every other request until then).
export function passwordPage(view) {
  document.getElementById('top').hidden = true;
  const cur = h('input', { name: 'current_password', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { name: 'new_password', type: 'password', autocomplete: 'new-password', required: true });
  const again = h('input', { name: 'new_password_again', type: 'password', autocomplete: 'new-password', required: true });
  const btn = h('button', { type: 'submit' }, '设置新密码');
  const form = h('form#password-form', { novalidate: true },
    h('h1', '请设置您自己的密码'),
    h('p.muted', '您正在使用管理员设置的一次性密码。请改为只有您知道的新密码（至少 8 位）后继续。'),
    field('当前密码', cur), field('新密码', next), field('再次输入新密码', again), btn);
  onSubmit(form, btn, async () => {
    if (next.value !== again.value) {
      throw { code: 'invalid_input', field: 'new_password_again', message: '两次输入的新密码不一致' };
    }
    await put('/me/password', { current_password: cur.value, new_password: next.value });
    await post('/sessions', { username: session.me.username, password: next.value });
    await signedIn();
  });
  fill(view, h('div.card.login', form));
  cur.focus();
}

// onSubmit runs work when form is submitted, with btn disabled meanwhile; a
// failure shows in the form (beside its field when it names one).
function onSubmit(form, btn, work) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    btn.disabled = true;
    try {
      await work();
    } catch (err) {
      showError(form, err);
    } finally {
      btn.disabled = false;
    }
  });
}
