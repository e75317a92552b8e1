// SPDX-License-Identifier: Apache-2.0
// The JSON API client: every state-changing request carries the session's CSRF token; an
// error answer becomes an Error whose message is the server's human sentence.
export const BG = { background: true };

export const session = { user: null, role: null, csrf: null, mustChange: false };

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.status = status;
    this.data = data || null; // the whole error answer: {error, field?, ...}
  }
}

const listeners = new Set();
export function onUnauthorized(fn) { listeners.add(fn); }

// opts.background marks a page's own refresh after a live event: the gateway does not count it
// as activity, so an open page does not keep an idle session alive.
export async function api(method, path, body, { background = false } = {}) {
  const opts = { method, headers: {}, credentials: 'same-origin', cache: 'no-store' };
  if (background) opts.headers['X-Fleetgw-Background'] = '1';
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET' && session.csrf) opts.headers['X-CSRF-Token'] = session.csrf;
  let res;
  try {
    res = await fetch(`/api/v1${path}`, opts);
  } catch (e) {
    throw new ApiError(0, 'The gateway cannot be reached. Check the network and try again.');
  }
  let data = null;
  const type = res.headers.get('content-type') || '';
  if (type.startsWith('application/json')) data = await res.json().catch(() => null);
  if (!res.ok) {
    const msg = (data && data.error) || `The request failed (HTTP ${res.status}).`;
    if (res.status === 401 && path !== '/session') for (const fn of listeners) fn(msg);
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

export function setSession(d) {
  session.user = d ? d.user : null;
  session.role = d ? d.role : null;
  session.csrf = d ? d.csrf : null;
  session.mustChange = d ? !!d.must_change : false;
}

export const isAdmin = () => session.role === 'admin';
