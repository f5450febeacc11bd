// The block editor: an administrator sets a post's rule in the "TagGate
// access" panel; an invalid rule shows its error and position, locks saving,
// and is refused by the server even when saving is forced; a valid one is
// saved. The TagGate block checks its rule as it is typed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, login, rest, openEditor, screenshot, stackEnv, unique } from './lib/gate-helpers.mjs';

test('block editor: the post rule is checked as it is typed and an invalid rule cannot be saved', async () => {
  const env = stackEnv();
  const b = await openBrowser();
  const { page } = b;
  let postId = 0;
  try {
    await login(page, env.TAGGATE_ADMIN_USER, env.TAGGATE_ADMIN_PASSWORD);
    const s = unique();
    const created = await rest(page, 'POST', '/wp/v2/posts', {
      title: `Editor rule ${s}`,
      content: `<!-- wp:paragraph --><p>Members text ${s}</p><!-- /wp:paragraph -->`,
      status: 'publish',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    postId = created.body.id;

    await openEditor(page, postId);
    const panel = page.locator('.taggate-rule-panel');
    await panel.waitFor({ state: 'visible' });
    const field = panel.locator('textarea');

    // Invalid: the message, the position, a caret under it; saving locked.
    await field.fill('vip and (gold or');
    const invalid = panel.locator('.taggate-rule-status.is-invalid');
    await invalid.waitFor();
    const message = await invalid.locator('.taggate-rule-error').textContent();
    assert.match(message, /found end of rule at line 1, column 17$/);
    assert.equal(await invalid.locator('.taggate-rule-position').getAttribute('data-column'), '17');
    assert.equal(await invalid.locator('.taggate-rule-caret').textContent(), 'vip and (gold or\n                ^');
    const update = page.locator('.editor-post-publish-button');
    await page.waitForFunction(() => wp.data.select('core/editor').isPostSavingLocked());
    assert.equal(await update.getAttribute('aria-disabled'), 'true', 'the Update button is disabled');
    await screenshot(page, 'editor-invalid-rule');

    // Forcing the save past the lock: the server refuses it, nothing is stored.
    const forced = await page.evaluate(async () => {
      await wp.data.dispatch('core/editor').savePost();
      return wp.data.select('core/editor').didPostSaveRequestFail();
    });
    assert.equal(forced, true, 'the server refused the invalid rule');
    let stored = await rest(page, 'GET', `/wp/v2/posts/${postId}?context=edit`);
    assert.equal(stored.body.taggate_rule, '');

    // Valid: the canonical form shows; saving works.
    await field.fill('VIP && !refunded');
    const valid = panel.locator('.taggate-rule-status.is-valid');
    await valid.waitFor();
    assert.equal(await valid.locator('.taggate-rule-canonical').textContent(), 'VIP and not refunded');
    await page.waitForFunction(() => !wp.data.select('core/editor').isPostSavingLocked());
    await screenshot(page, 'editor-valid-rule');
    await update.click();
    await page.waitForFunction(() => {
      const e = wp.data.select('core/editor');
      return !e.isSavingPost() && e.didPostSaveRequestSucceed() && !e.isEditedPostDirty();
    });
    stored = await rest(page, 'GET', `/wp/v2/posts/${postId}?context=edit`);
    assert.equal(stored.body.taggate_rule, 'VIP && !refunded');

    // The TagGate block: its rule is checked in the block too.
    await page.evaluate(() => {
      const block = wp.blocks.createBlock('taggate/gate', {}, [wp.blocks.createBlock('core/paragraph', { content: 'For members' })]);
      wp.data.dispatch('core/block-editor').insertBlocks(block);
    });
    const gate = page.locator('.taggate-gate-editor').first();
    await gate.waitFor();
    await gate.locator('.taggate-gate-rule input').fill('gold or');
    const blockError = gate.locator('.taggate-gate-editor__header .taggate-rule-status.is-invalid');
    await blockError.waitFor();
    assert.match(await blockError.textContent(), /at line 1, column 8/);
    await page.waitForFunction(() => wp.data.select('core/editor').isPostSavingLocked());
    await screenshot(page, 'editor-block-invalid-rule');
    await gate.locator('.taggate-gate-rule input').fill('gold or silver');
    await gate.locator('.taggate-gate-editor__header .taggate-rule-status.is-valid').waitFor();
    await gate.locator('.taggate-gate-editor__add-otherwise').click();
    await page.locator('.taggate-otherwise-editor').waitFor();
    await page.waitForFunction(() => !wp.data.select('core/editor').isPostSavingLocked());
    await screenshot(page, 'editor-block-valid-rule');
  } finally {
    if (postId) await rest(page, 'DELETE', `/wp/v2/posts/${postId}?force=true`).catch(() => {});
    await b.close();
  }
});
