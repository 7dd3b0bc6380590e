// The API client: JSON over fetch with the session cookie. Failures throw an
// ApiError carrying the server's {code, message, field, state}.

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || '';
    this.field = e.field || '';
    this.state = e.state || '';
  }
}

let onUnauthorized = () => {};

/** Sets what happens when the session has ended (401). */
export function whenSignedOut(fn) { onUnauthorized = fn; }

/** Calls the API; body is sent as JSON; key sets the Idempotency-Key. */
export async function api(method, path, body, key) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key) headers['Idempotency-Key'] = key;
  return send(method, path, headers, body === undefined ? undefined : JSON.stringify(body));
}

/** Posts a multipart form (FormData, a file upload); answers like api. */
export const upload = (path, form) => send('POST', path, { Accept: 'application/json' }, form);

async function send(method, path, headers, body) {
  let res;
  try {
    res = await fetch('/api/v1' + path, { method, headers, credentials: 'same-origin', body });
  } catch (err) {
    throw new ApiError(0, { error: { code: 'network', message: '无法连接服务器，请检查网络' } });
  }
  if (res.status === 204) return null;
  let data = null;
  try { data = await res.json(); } catch (_) { /* not JSON */ }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && path !== '/sessions') onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path) => api('GET', path);
export const post = (path, body, key) => api('POST', path, body, key);
export const put = (path, body) => api('PUT', path, body);
export const del = (path) => api('DELETE', path);

/** A fresh idempotency key for one user action. */
export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Builds "?a=1&b=2" from the non-empty entries of params. */
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '' && v !== false) u.set(k, String(v));
  }
  const s = u.toString();
  return s ? '?' + s : '';
}
