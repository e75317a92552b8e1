// SPDX-License-Identifier: Apache-2.0
// Copyright (c) 2026 fleetgw authors
//
// Browser scenarios for tests/integration/test_41_webui_browser.py: playwright-core drives
// Debian's /usr/bin/chromium (headless, fresh profile) against a running fleetgw. One scenario
// per run: node webui.mjs SCENARIO; settings come from the environment (URL, USER, PASSWORD,
// SHOTS dir, PROFILE dir, DEVICE id, ALERT text). Progress lines go to stdout as JSON; the
// Python side waits for {"ready": ...} where it has to act (restart a daemon, raise an alert).
// Exit status 0 means every check of the scenario held.
import { chromium } from 'playwright-core';
import path from 'node:path';

const env = process.env;
const URL = env.URL;
const USER = env.USER_NAME || 'admin';
const PASSWORD = env.PASSWORD;
const SHOTS = env.SHOTS;
const scenario = process.argv[2];

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  out({ ok: what });
}

async function shot(page, name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  out({ screenshot: file });
}

async function login(page, password = PASSWORD) {
  await page.goto(URL, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#password');
  await page.fill('#username', USER);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
}

async function loginOk(page) {
  await login(page);
  await page.waitForSelector('.tiles', { timeout: 15000 });
}

async function loginRefused(page, password) {
  await login(page, password);
  const msg = await page.waitForSelector('#login-msg .notice.error', { timeout: 15000 });
  return (await msg.textContent()).trim();
}


// The counter chart against the table below it, for the period selected: the last point is
// the table's current value, and the time axis has 2 to 7 distinct labels at a step that
// fits the span of the readings. Returns: {span, step, dots, labels}.
async function checkChart(page, period) {
  const svg = page.locator('svg.chart');
  // A flat line (a counter that did not move) has no height: attached, not "visible".
  await svg.locator('path.line').waitFor({ state: 'attached', timeout: 15000 });
  const span = +(await svg.getAttribute('data-span'));
  const step = +(await svg.getAttribute('data-step'));
  const labels = await svg.locator('text.axis.x').allTextContents();
  const dots = svg.locator('circle.dot');
  const n = await dots.count();
  const last = +(await dots.nth(n - 1).getAttribute('data-value'));
  const counter = await page.locator('select[aria-label=Counter]').inputValue();
  const row = page.locator('.card table tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${counter}$`) }) });
  const tableValue = Number((await row.locator('td.num').textContent()).replace(/[^0-9]/g, ''));
  check(last === tableValue, `${period}: the chart ends at the table's value (${last} = ${tableValue})`);
  check(labels.length >= 2 && labels.length <= 7 && new Set(labels).size === labels.length,
    `${period}: ${labels.length} distinct time labels: ${labels.join(', ')}`);
  check(span / step <= 6 && span / step >= 1, `${period}: step ${step} s fits the span ${span} s`);
  return { span, step, dots: n, labels };
}

// Each period of the selector redraws the chart; the axis follows the readings.
async function checkPeriods(page) {
  const out = {};
  for (const days of ['1', '7', '30', '90']) {
    const before = await page.locator('svg.chart').elementHandle();
    await page.selectOption('select[aria-label=Period]', days);
    // drawChart replaces the svg: wait for the new one.
    await before.waitForElementState('hidden', { timeout: 5000 }).catch(() => {});
    out[days] = await checkChart(page, `${days} days`);
  }
  return out;
}

const scenarios = {
  async pages(page) {
    await loginOk(page);
    check(await page.isVisible('nav a[href="#/audit"]'), 'admin sees the audit page link');
    await page.waitForSelector('#live.on', { timeout: 10000 });
    // Input trays are not supplies: an empty paper tray is no supply "low or empty".
    const low = (await page.locator('.tile', { hasText: 'supplies low or empty' }).locator('strong').textContent()).trim();
    check(low === String(env.SUPPLIES_LOW), `dashboard counts ${low} supplies low or empty (want ${env.SUPPLIES_LOW})`);
    check(!/MP Tray|Cassette/.test(await page.locator('main').textContent()), 'no tray among the supplies running low');
    await shot(page, 'dashboard');
    await page.click('nav a[href="#/devices"]');
    await page.waitForSelector('#devices tbody tr[data-id]');
    await page.click('#devices th:nth-child(1) button');
    await page.waitForSelector('#devices th:nth-child(1) button.asc, #devices th:nth-child(1) button.desc');
    await shot(page, 'devices');
    await page.goto(`${URL}#/devices/${env.DEVICE}`);
    await page.waitForSelector('svg.chart path.line', { timeout: 15000 });
    const points = await page.locator('svg.chart circle.dot').count();
    check(points >= 5, `the counter chart shows ${points} readings`);
    // Ten days of history: the longer periods are marked in days, not hours.
    const per = await checkPeriods(page);
    check(per['30'].step >= 86400 && per['90'].step >= 86400, `30 and 90 days: steps ${per['30'].step}, ${per['90'].step} s`);
    check(per['1'].step < 86400, `1 day: step ${per['1'].step} s`);
    await page.selectOption('select[aria-label=Period]', '30');
    check(await page.locator('.supply .bar').count() >= 1, 'supplies are drawn as bars');
    // Trays in their own small section, with their paper in words, never as supply bars.
    const supplies = await page.locator('.supplies').textContent();
    check(!/Cassette|MP Tray/.test(supplies), 'no tray among the supply bars');
    const trays = await page.locator('#trays tbody tr').allTextContents();
    check(trays.length === 3, `the device page lists ${trays.length} input trays`);
    check(/Cassette 1.*A4.*250 of 500 sheets/.test(trays[0]) && /MP Tray.*empty/.test(trays[2]),
      `trays show their paper: ${JSON.stringify(trays)}`);
    // The waste toner box reports "some remaining" (level -3): said once, in words; the raw
    // enum value only in the badge's attribute.
    const waste = (await page.locator('.supply', { hasText: 'Waste Toner Box' }).textContent()).replace(/\s+/g, ' ').trim();
    check(!/some_remaining/.test(waste) && (waste.match(/some remaining/g) || []).length === 1, `a supply state in words, once: ${waste}`);
    check(await page.locator('.supply .badge[data-value="some_remaining"]').count() === 1, 'the raw state stays in data-value');
    await shot(page, 'device');
    for (const [hash, sel] of [['#/credentials', 'table'], ['#/audit', '#audit tbody tr'],
      ['#/users', 'table'], ['#/security', 'form'], ['#/connection', 'form'],
      ['#/about', '.kv']]) {
      await page.goto(`${URL}${hash}`);
      await page.waitForSelector(sel);
      await shot(page, hash.slice(2));
    }
    // A tablet in portrait: the same pages stay usable.
    await page.setViewportSize({ width: 800, height: 1100 });
    await page.goto(`${URL}#/devices`);
    await page.waitForSelector('#devices tbody tr[data-id]');
    await shot(page, 'devices-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
    // CSRF: a request from the page without the token is refused with a readable message.
    const res = await page.evaluate(async () => {
      const r = await fetch('/api/v1/settings/security', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{"lockout_threshold":3}' });
      return { status: r.status, body: await r.json() };
    });
    check(res.status === 403 && /CSRF/.test(res.body.error), `request without CSRF token refused: ${res.status} ${res.body.error}`);
    // A page of another site posting a form to the gateway gets nowhere.
    await page.goto('about:blank');
    const [resp] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/users'), { timeout: 10000 }),
      page.evaluate((target) => {
        const f = document.createElement('form');
        f.method = 'POST';
        f.action = `${target}/api/v1/users`;
        f.enctype = 'text/plain';
        const i = document.createElement('input');
        i.name = '{"name":"mallory","password":"Xx1!xxxxxx","x":"';
        i.value = '"}';
        f.append(i);
        document.body.append(f);
        f.submit();
      }, URL.replace(/\/$/, '')),
    ]);
    check([401, 403].includes(resp.status()), `cross-site form POST refused with ${resp.status()}`);
  },

  async lockout(page) {
    const first = await loginRefused(page, 'Wrong!pass1');
    check(/Login failed/.test(first), `wrong password refused: ${first}`);
    await loginRefused(page, 'Wrong!pass2');
    await loginRefused(page, 'Wrong!pass3');
    const locked = await loginRefused(page, PASSWORD);
    check(locked === first, 'the right password now gets the same refusal (locked)');
    await shot(page, 'locked');
  },

  async locked(page) {
    const text = await loginRefused(page, PASSWORD);
    check(/Login failed/.test(text), 'still locked after the daemon restarted');
    await shot(page, 'locked-after-restart');
  },

  // The session times out while the page sits open: the gateway closes the live websocket
  // with its "session ended" code, and the page goes to the login page by itself and says so.
  // It must not try the websocket again (a refused handshake is what it used to log).
  async expiry(page) {
    const sockets = [];
    page.on('websocket', (ws) => sockets.push(ws));
    await loginOk(page);
    out({ ready: 'logged-in' });
    // No clock here: the wait ends when the page shows the login notice (idle timeout plus
    // the gateway's sweep interval; the limit only bounds a broken build).
    const msg = await page.waitForSelector('#login-msg .notice', { timeout: +env.EXPIRY_LIMIT_MS });
    const text = (await msg.textContent()).trim();
    check(/session has ended|log in/i.test(text), `after inactivity the login page says: ${text}`);
    check(sockets.length === 1, `one websocket was opened (${sockets.length})`);
    check(sockets[0].isClosed(), 'the live websocket is closed');
    check(!(await page.isVisible('#live')), 'the live indicator is gone');
    // Anything the page still had scheduled would run within the first reconnect delays.
    await page.waitForTimeout(2500);
    check(sockets.length === 1, `no websocket was opened after the session ended (${sockets.length})`);
    await shot(page, 'session-expired');
  },

  // A device polled for the first time a minute ago: the chart shows its readings so far,
  // ending at the table's value, on an axis of minutes whatever the period.
  async chart(page) {
    await loginOk(page);
    await page.goto(`${URL}#/devices/${env.DEVICE}`);
    const per = await checkPeriods(page);
    for (const [days, c] of Object.entries(per)) {
      check(c.dots >= 2, `${days} days: ${c.dots} readings in the first minutes`);
      check(c.step < 3600, `${days} days: the axis is marked in minutes (step ${c.step} s)`);
    }
    await shot(page, 'chart-first-hour');
  },

  // A printer that answers only WS-Discovery: its page says how it is reached, shows no SNMP
  // port and says it has no counters; its alerts are in words. Alerts of several devices at
  // once make one toast.
  async wsd(page) {
    await loginOk(page);
    await page.goto(`${URL}#/devices/${env.DEVICE}`);
    await page.waitForSelector('#alerts');
    const dd = (k) => page.locator('.kv dt', { hasText: new RegExp(`^${k}$`) }).locator('xpath=following-sibling::dd[1]');
    const transport = (await dd('Transport').textContent()).trim();
    check(/WS-Print/.test(transport), `the transport is shown: ${transport}`);
    const addr = (await dd('Address').textContent()).trim();
    check(addr === env.ADDRESS, `the address has no SNMP port: ${addr}`);
    const note = (await page.textContent('#counters-note')).trim();
    check(note === 'no counters (WSD only)', `the counters card says: ${note}`);
    check(await page.locator('select[aria-label=Counter]').count() === 0, 'no empty counter selector');
    await page.waitForSelector('#live.on', { timeout: 10000 });
    out({ ready: 'watching' });
    const end = Date.now() + 60000;
    let maxToasts = 0;
    const seen = async () => {
      maxToasts = Math.max(maxToasts, await page.locator('#toasts .toast').count());
      return (await page.textContent('#alerts')).includes('Media jam');
    };
    while (!(await seen())) {
      if (Date.now() > end) throw new Error(`no alert in words within 60 s: ${await page.textContent('#alerts')}`);
      await page.waitForTimeout(100);
    }
    const alerts = (await page.textContent('#alerts')).trim();
    check(!/MediaJam/.test(alerts), `no raw WS-Print code: ${alerts}`);
    check(/Media jam Jam;/.test(alerts), `the Printer-MIB alert code in words: ${alerts}`);
    check((await page.getAttribute('#alerts li[data-code="8"]', 'data-description')) === 'MediaJam', 'the raw reason stays in an attribute');
    const want = +env.ALERTS;
    const group = page.locator('#toasts .toast.alerts');
    for (;;) {
      maxToasts = Math.max(maxToasts, await page.locator('#toasts .toast').count());
      const n = await group.count() ? +(await group.first().getAttribute('data-alerts')) : 0;
      if (n >= want) break;
      if (Date.now() > end) throw new Error(`the alert toast counts ${n} of ${want}`);
      await page.waitForTimeout(100);
    }
    const text = (await group.first().textContent()).trim();
    check(text === `${want} new alerts on ${want} devices`, `one toast for the alerts: ${text}`);
    check(await group.count() === 1, 'one alert toast');
    check(maxToasts <= 3, `at most 3 toasts at once (${maxToasts})`);
    check((await group.first().locator('a').getAttribute('href')) === '#/devices?alerts=1', 'the toast links to the devices with alerts');
    await shot(page, 'wsd-device');
  },

  async alert(page) {
    await loginOk(page);
    await page.goto(`${URL}#/devices/${env.DEVICE}`);
    await page.waitForSelector('#alerts');
    await page.waitForSelector('#live.on', { timeout: 10000 });
    check(!(await page.textContent('#alerts')).includes(env.ALERT), 'no alert before');
    out({ ready: 'watching' });
    // Polled from here: the page's CSP (rightly) forbids the eval waitForFunction needs.
    const end = Date.now() + 90000;
    while (!(await page.textContent('#alerts')).includes(env.ALERT)) {
      if (Date.now() > end) throw new Error('the alert did not appear within 90 s');
      await page.waitForTimeout(250);
    }
    check(true, 'the new alert appeared without a reload');
    await page.waitForSelector('.toast');
    await shot(page, 'live-alert');
  },
};

// Discovery: the parser's error next to its field, a setting added through the form, a run
// started with "Run now" that the page follows until the printers are listed. Websocket frames
// are watched: when `discovery.progress` events arrive, the progress shown must come from them.
async function discovery(page) {
  let progressEvents = 0;
  page.on('websocket', (ws) => ws.on('framereceived', (f) => {
    if (typeof f.payload === 'string' && f.payload.includes('"discovery.progress"')) progressEvents++;
  }));
  await loginOk(page);
  await page.click('nav a[href="#/discovery"]');
  await page.waitForSelector('#discovery-form');
  await page.fill('#d-name', 'Office LAN');
  await page.fill('#d-targets', `${env.TARGETS}, 10.0.0.300`);
  await page.selectOption('#discovery-form select[aria-label="Add a credential set"]', 'pub');
  await page.fill('#d-port', env.SNMP_PORT);
  await page.click('#discovery-form button[type=submit]');
  const err = (await (await page.waitForSelector('#err-targets:not(:empty)')).textContent()).trim();
  check(/target 2: '10\.0\.0\.300': octet out of range/.test(err), `the bad target is shown next to the field: ${err}`);
  await shot(page, 'discovery-error');
  await page.fill('#d-targets', env.TARGETS);
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery tr[data-name="Office LAN"]');
  check(((await page.textContent('#discovery-msg')) || '').includes('added'), 'the setting was added');
  await page.click('#discovery tr[data-name="Office LAN"] button.primary');
  // Follow the run: the row shows the state; events (when the gateway sends them) drive it.
  let sawLive = false;
  const end = Date.now() + 60000;
  for (;;) {
    const st = await page.getAttribute('#discovery tr[data-name="Office LAN"] .progress', 'data-state');
    if (await page.$('#discovery tr[data-name="Office LAN"] .progress[data-live=event]')) sawLive = true;
    if (st === 'done' || st === 'failed') break;
    if (Date.now() > end) throw new Error(`the run did not finish in 60 s (state ${st})`);
    await page.waitForTimeout(100);
  }
  check((await page.getAttribute('#discovery tr[data-name="Office LAN"] .progress', 'data-state')) === 'done', 'the page shows the run done');
  out({ progress_events: progressEvents, rendered_from_event: sawLive });
  if (progressEvents > 0) check(sawLive, 'discovery.progress events update the progress shown');
  await shot(page, 'discovery');
  await page.click('#discovery tr[data-name="Office LAN"] a');
  await page.waitForSelector('#found tbody tr td.mono');
  const rows = await page.locator('#found tbody tr').count();
  check(rows === +env.PRINTERS, `the setting page lists ${rows} printers found`);
  await shot(page, 'discovery-setting');
  await page.setViewportSize({ width: 800, height: 1100 });
  await page.goto(`${URL}#/discovery`);
  await page.waitForSelector('#discovery tr[data-name="Office LAN"]');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `no horizontal scrolling at tablet width (${overflow} px)`);
  await shot(page, 'discovery-tablet');
}
scenarios.discovery = discovery;

// Security: a settings change needs the current password (a wrong one is refused with a
// sentence), and the users page lists sessions; the administrator ends another one.
async function security(page) {
  await loginOk(page);
  await page.goto(`${URL}#/security`);
  const form = page.locator('form').first();
  await form.locator('input[type=number]').first().fill('15');
  await form.locator('input.current-password').fill('Wrong!pass9');
  await form.locator('button[type=submit]').click();
  const bad = (await (await page.waitForSelector('.notice.error')).textContent()).trim();
  check(/current password is wrong/.test(bad), `a wrong current password is refused: ${bad}`);
  await form.locator('input.current-password').fill(PASSWORD);
  await form.locator('button[type=submit]').click();
  const ok = (await (await page.waitForSelector('.notice.ok')).textContent()).trim();
  check(/saved/.test(ok), `with the current password the change is saved: ${ok}`);
  await shot(page, 'security-reauth');
  // A certificate upload applies at once.
  const certForm = page.locator('form', { has: page.locator('input[type=file]') });
  await certForm.locator('input[type=file]').nth(0).setInputFiles(env.CERT_FILE);
  await certForm.locator('input[type=file]').nth(1).setInputFiles(env.KEY_FILE);
  await certForm.locator('input.current-password').fill(PASSWORD);
  await certForm.locator('button[type=submit]').click();
  const certMsg = (await (await page.waitForSelector('.notice.ok >> text=/Certificate installed/')).textContent()).trim();
  check(/in use for new connections/.test(certMsg), `the uploaded certificate is in use: ${certMsg}`);
  await shot(page, 'security-certificate');
  await page.goto(`${URL}#/users`);
  await page.waitForSelector('#sessions tbody tr');
  const before = await page.locator('#sessions tbody tr').count();
  check(before >= 2, `the users page lists ${before} sessions`);
  check(await page.locator('#sessions .badge', { hasText: 'this session' }).count() === 1, 'this session is marked');
  await shot(page, 'sessions');
  page.once('dialog', (d) => d.accept());
  await page.locator('#sessions tbody tr button.danger').first().click();
  await page.waitForSelector('.notice.ok');
  const after = await page.locator('#sessions tbody tr').count();
  check(after === before - 1, `the ended session is gone from the list (${before} -> ${after})`);
  // Account changes need the current password too: the form's field, and the same field in
  // a dialog for one-click actions (a wrong password is refused, Cancel does nothing).
  const addForm = page.locator('form', { has: page.locator('button', { hasText: 'Create' }) });
  await addForm.locator('input').nth(0).fill('vicky');
  await addForm.locator('input[type=password]').nth(0).fill('View3r#secret');
  await addForm.locator('input.current-password').fill(PASSWORD);
  await addForm.locator('button[type=submit]').click();
  await page.waitForSelector('.notice.ok >> text=/Viewer vicky created/');
  const row = page.locator('table tbody tr', { hasText: 'vicky' });
  await row.locator('button.danger').click();
  const dlg = page.locator('dialog.reauth');
  await dlg.locator('input.current-password').fill('Wrong!pass9');
  await shot(page, 'users-reauth-dialog');
  await dlg.locator('button[type=submit]').click();
  const delBad = (await (await page.waitForSelector('.notice.error')).textContent()).trim();
  check(/current password is wrong/.test(delBad), `deleting with a wrong password is refused: ${delBad}`);
  check(await row.count() === 1, 'the account is still there');
  await row.locator('button.danger').click();
  await dlg.locator('button', { hasText: 'Cancel' }).click();
  await dlg.waitFor({ state: 'detached', timeout: 5000 });
  check(await row.count() === 1, 'Cancel closes the dialog and deletes nothing');
  await row.locator('button.danger').click();
  await dlg.locator('input.current-password').fill(PASSWORD);
  await dlg.locator('button[type=submit]').click();
  await page.waitForSelector('.notice.ok >> text=/vicky deleted/');
  // A locator, not waitForFunction: the page's CSP (rightly) forbids the eval that needs.
  await row.first().waitFor({ state: 'detached', timeout: 10000 });
  check(await row.count() === 0, 'with the current password the account is deleted');
  await page.setViewportSize({ width: 800, height: 1100 });
  await page.goto(`${URL}#/users`);
  await page.waitForSelector('#sessions tbody tr');
  await shot(page, 'sessions-tablet');
}
scenarios.security = security;

const ctx = await chromium.launchPersistentContext(env.PROFILE, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  ignoreHTTPSErrors: true,
  viewport: { width: 1280, height: 800 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let status = 0;
const page = ctx.pages()[0] || await ctx.newPage();
const consoleErrors = [];
page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
page.on('pageerror', (e) => consoleErrors.push(String(e)));
try {
  await scenarios[scenario](page);
  // Failed requests (401/403 we provoke) are logged by chromium as console errors; scripts
  // that break are not allowed.
  const broken = consoleErrors.filter((t) => !/status of 40[13]|Failed to load resource/.test(t));
  check(broken.length === 0, `no script errors (${broken.join(' | ')})`);
} catch (e) {
  out({ error: String(e && e.stack || e) });
  try { await shot(page, `failed-${scenario}`); } catch { /* best effort */ }
  status = 1;
}
await ctx.close();
process.exit(status);
