// Helpers of the browser tests: the stack's coordinates, a fresh headless
// Chromium per test (never downloaded: /usr/bin/chromium), logging in through
// the login form, REST calls made from inside a logged-in page (cookies and
// the wp_rest nonce, as the block editor makes them), signed webhooks, and
// screenshots kept under artifacts/screenshots/.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHOTS = path.join(ROOT, 'artifacts', 'screenshots');

let envCache = null;

/** TAGGATE_* from the environment, else from `scripts/stack.sh env`. */
export function stackEnv() {
  if (envCache) return envCache;
  const env = {};
  if (!process.env.TAGGATE_URL) {
    const out = execFileSync('bash', [path.join(ROOT, 'scripts/stack.sh'), 'env'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const m = /^export (TAGGATE_[A-Z0-9_]+)='(.*)'$/.exec(line);
      if (m) env[m[1]] = m[2];
    }
  }
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('TAGGATE_')) env[k] = v;
  }
  envCache = env;
  return env;
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh browser (its own --user-data-dir, removed on close). */
export async function openBrowser() {
  const dir = mkdtempSync(path.join(tmpdir(), 'taggate-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 1000 },
    timeout: 60000,
  });
  context.setDefaultTimeout(60000);
  const page = context.pages()[0] || (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Logs in through /wp-login.php, as a person would. */
export async function login(page, user, password) {
  const base = stackEnv().TAGGATE_URL;
  await page.goto(`${base}/wp-login.php`);
  await page.fill('#user_login', user);
  await page.fill('#user_pass', password);
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
  if (!page.url().includes('/wp-admin')) {
    throw new Error(`login as ${user} failed: landed on ${page.url()}`);
  }
}

/** A REST call from inside the logged-in page (cookies + wp_rest nonce). */
export async function rest(page, method, route, data) {
  const base = stackEnv().TAGGATE_URL;
  if (!page.url().startsWith(base)) await page.goto(`${base}/wp-admin/`);
  return page.evaluate(
    async ({ method, route, data }) => {
      const nonce = (await (await fetch('/wp-admin/admin-ajax.php?action=rest-nonce', { credentials: 'same-origin' })).text()).trim();
      const res = await fetch('/wp-json' + route, {
        method,
        credentials: 'same-origin',
        headers: { 'X-WP-Nonce': nonce, 'Content-Type': 'application/json' },
        body: data === undefined ? undefined : JSON.stringify(data),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    },
    { method, route, data },
  );
}

/** Standard Webhooks signature of a body with a whsec_ secret. */
export function signStandard(body, secret, id = `msg_browser_${randomBytes(8).toString('hex')}`, ts = Math.floor(Date.now() / 1000)) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const sig = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${sig}` };
}

/** Posts a signed command to the webhook; answers { status, body }. */
export async function webhook(command, secret = stackEnv().TAGGATE_WEBHOOK_SECRET) {
  const body = JSON.stringify(command);
  const res = await fetch(`${stackEnv().TAGGATE_URL}/wp-json/taggate/v1/webhook`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...signStandard(body, secret) },
    body,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Runs a setup command of the stack helper (scripts/stack.sh wp …). */
export function stackWp(...args) {
  return execFileSync('bash', [path.join(ROOT, 'scripts/stack.sh'), 'wp', ...args], { encoding: 'utf8' });
}

export function unique(prefix = 'tg') {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

/** Opens the block editor of a post, without the welcome guide, sidebar on the post tab. */
export async function openEditor(page, postId) {
  const base = stackEnv().TAGGATE_URL;
  await page.goto(`${base}/wp-admin/post.php?post=${postId}&action=edit`);
  await page.waitForFunction(() => window.wp && wp.data && wp.data.select('core/editor') && wp.data.select('core/editor').getCurrentPostId());
  await page.evaluate(() => {
    const ep = wp.data.select('core/edit-post');
    if (ep.isFeatureActive('welcomeGuide')) wp.data.dispatch('core/edit-post').toggleFeature('welcomeGuide');
    wp.data.dispatch('core/edit-post').openGeneralSidebar('edit-post/document');
    // The "TagGate access" panel (closed unless the user opened it before).
    if (!ep.isEditorPanelOpened('taggate-rule/taggate-rule')) wp.data.dispatch('core/edit-post').toggleEditorPanelOpened('taggate-rule/taggate-rule');
  });
  await page.keyboard.press('Escape').catch(() => {});
}
