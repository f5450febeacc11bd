// The settings page: an administrator rotates the webhook secret. The new
// secret is shown once, then masked; both the new and the previous secret
// verify during the rotation window.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openBrowser, login, screenshot, stackEnv, stackWp, webhook } from './lib/gate-helpers.mjs';

const fingerprint = (secret) => 'sha256:' + createHash('sha256').update(secret).digest('hex').slice(0, 8);

test('settings: rotating the secret shows it once and keeps the previous one valid', async () => {
  const env = stackEnv();
  const old = env.TAGGATE_WEBHOOK_SECRET;
  const b = await openBrowser();
  const { page } = b;
  try {
    await login(page, env.TAGGATE_ADMIN_USER, env.TAGGATE_ADMIN_PASSWORD);
    await page.goto(`${env.TAGGATE_URL}/wp-admin/options-general.php?page=taggate`);
    const masked = page.locator('.taggate-secrets .taggate-secret-masked').first();
    assert.match(await masked.textContent(), new RegExp(fingerprint(old)));
    assert.ok(!(await page.content()).includes(old), 'the secret is never printed');
    await screenshot(page, 'settings-before-rotation');

    await page.fill('#taggate-rotate-hours', '24');
    await Promise.all([page.waitForNavigation(), page.click('#taggate-rotate')]);
    const shown = page.locator('input.taggate-new-secret');
    await shown.waitFor();
    const secret = await shown.inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(secret, old);
    await screenshot(page, 'settings-new-secret-shown-once');

    assert.equal((await webhook({ command: 'ping' }, secret)).status, 200, 'the new secret verifies');
    assert.equal((await webhook({ command: 'ping' }, old)).status, 200, 'the previous one too, during the window');

    await page.reload();
    assert.equal(await page.locator('input.taggate-new-secret').count(), 0, 'shown once only');
    assert.ok(!(await page.content()).includes(secret));
    assert.match(await page.locator('.taggate-secrets .taggate-secret-masked').first().textContent(), new RegExp(fingerprint(secret)));
    assert.match(await page.locator('.taggate-previous-secret').textContent(), new RegExp(fingerprint(old)));
    await screenshot(page, 'settings-after-rotation');
  } finally {
    // Back to the stack's secret, for the other tests.
    stackWp('settings-set', JSON.stringify({ secret: old, previous_secret: '', previous_secret_expires: 0 }));
    await b.close();
  }
  assert.equal((await webhook({ command: 'ping' }, old)).status, 200);
});
