// A subscriber sees the locked message; after a signed tags.add webhook
// gives them the tag, the same page shows the content.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, login, rest, screenshot, stackEnv, unique, webhook } from './lib/gate-helpers.mjs';

test('subscriber: locked, then a signed tags.add webhook opens the post', async () => {
  const env = stackEnv();
  const admin = await openBrowser();
  const sub = await openBrowser();
  const s = unique();
  const marker = `BROWSERSECRET${s.toUpperCase()}`;
  let postId = 0;
  let userId = 0;
  try {
    await login(admin.page, env.TAGGATE_ADMIN_USER, env.TAGGATE_ADMIN_PASSWORD);
    const post = await rest(admin.page, 'POST', '/wp/v2/posts', {
      title: `Course lesson ${s}`,
      content: `<!-- wp:paragraph --><p>${marker} lesson text</p><!-- /wp:paragraph -->`,
      status: 'publish',
      taggate_rule: 'course-a and not refunded',
    });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    postId = post.body.id;
    const email = `browser-${s}@example.test`;
    const password = `pw-${s}-${s}`;
    const user = await rest(admin.page, 'POST', '/wp/v2/users', { username: `browser_${s}`, email, password, roles: ['subscriber'] });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    userId = user.body.id;

    await login(sub.page, `browser_${s}`, password);
    await sub.page.goto(post.body.link);
    await sub.page.locator('.taggate-locked').waitFor();
    assert.match(await sub.page.locator('.taggate-locked').textContent(), /members only/i);
    assert.ok(!(await sub.page.content()).includes(marker), 'the content is not in the page');
    await screenshot(sub.page, 'subscriber-locked');

    const res = await webhook({ command: 'tags.add', contact: { email }, tags: ['Course-A'] });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.ok, true);

    await sub.page.reload();
    await sub.page.getByText(`${marker} lesson text`).waitFor();
    assert.equal(await sub.page.locator('.taggate-locked').count(), 0);
    await screenshot(sub.page, 'subscriber-unlocked');
  } finally {
    if (postId) await rest(admin.page, 'DELETE', `/wp/v2/posts/${postId}?force=true`).catch(() => {});
    if (userId) await rest(admin.page, 'DELETE', `/wp/v2/users/${userId}?force=true&reassign=1`).catch(() => {});
    await sub.close();
    await admin.close();
  }
});
