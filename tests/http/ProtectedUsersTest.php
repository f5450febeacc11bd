<?php
/**
 * Protected users and escalation attempts (SPEC §6): tag commands may touch
 * anyone's tags; nothing changes the e-mail, name, role or password of a
 * user with more power than the allowed roles, or mints them a login link;
 * nothing creates a user outside the allow list.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class ProtectedUsersTest extends TestCase
{
    private function staff(string $role): string
    {
        $email = $this->email($role);
        Wp::ensureUser($role . '_' . bin2hex(random_bytes(3)), $email, $role, 'Real', 'Name');
        return $email;
    }

    public function testAdministratorTagsMayChangeButNothingElse(): void
    {
        $admin = Stack::get('TAGGATE_ADMIN_EMAIL');
        $tag = 'admin-tag-' . bin2hex(random_bytes(3));
        $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $admin], 'tags' => [$tag]]));
        $this->assertArrayHasKey($tag, Db::tags($admin));
        $this->assertOk($this->send(['command' => 'tags.remove', 'contact' => ['email' => $admin], 'tags' => [$tag]]));

        $before = Db::rows('SELECT user_email, user_pass, display_name FROM ' . Db::prefix() . 'users WHERE user_email = ?', [$admin]);
        $this->assertError($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $admin, 'first_name' => 'Mallory']]), 403, 'protected_user');
        $this->assertError($this->send(['command' => 'login.link', 'contact' => ['email' => $admin]]), 403, 'protected_user');
        $this->assertError($this->send(['command' => 'password.reset', 'contact' => ['email' => $admin]]), 403, 'protected_user');
        $this->assertSame($before, Db::rows('SELECT user_email, user_pass, display_name FROM ' . Db::prefix() . 'users WHERE user_email = ?', [$admin]));
        $this->assertSame(['administrator'], Db::roles($admin));
        $this->assertNotSame('Mallory', Db::userMeta($admin, 'first_name'));
    }

    public function testEditorGetsNoLoginLinkAndNoProfileChange(): void
    {
        $editor = $this->staff('editor');
        $this->assertError($this->send(['command' => 'login.link', 'contact' => ['email' => $editor]]), 403, 'protected_user');
        $this->assertError($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $editor, 'last_name' => 'Changed']]), 403, 'protected_user');
        $this->assertSame('Name', Db::userMeta($editor, 'last_name'));
        $this->assertSame(0, (int) Db::value('SELECT COUNT(*) FROM ' . Db::prefix() . 'taggate_login_links WHERE user_id = ?', [Db::userId($editor)]));
        // Tags, yes.
        $this->assertOk($this->send(['command' => 'tags.set', 'contact' => ['email' => $editor], 'tags' => ['Staff']]));
        $this->assertTags(['Staff'], $editor);
    }

    public function testAnEmailChangeOntoAProtectedAccountIsRefusedByCrmId(): void
    {
        // A CRM id never gets linked to a protected account …
        $author = $this->staff('author');
        $crm = 'hijack-' . bin2hex(random_bytes(4));
        $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $author, 'crm_id' => $crm], 'tags' => ['x']]));
        $this->assertNull(Db::userMeta($author, 'taggate_crm_id'));
        // … so that id cannot later be used to rewrite the account's e-mail.
        $this->assertOk($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $this->email('attacker'), 'crm_id' => $crm]]));
        $this->assertNotNull(Db::userId($author));
        $this->assertSame(['author'], Db::roles($author));
    }

    public function testASubscriberWithAnExtraCapabilityIsProtected(): void
    {
        $email = $this->subscriber();
        Wp::run('user-add-cap', $email, 'edit_posts');
        $this->assertError($this->send(['command' => 'login.link', 'contact' => ['email' => $email]]), 403, 'protected_user');
        $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['still ok']]));
    }

    public function testExtraRoleFieldsAreIgnored(): void
    {
        $email = $this->email('escalate');
        $body = [
            'command' => 'contact.upsert',
            'contact' => ['email' => $email, 'role' => 'administrator', 'roles' => ['administrator'], 'user_level' => 10, 'capabilities' => ['manage_options' => true]],
            'role' => 'administrator',
            'user' => ['role' => 'administrator'],
            'user_pass' => 'x',
        ];
        $result = $this->assertOk($this->send($body));
        $this->assertTrue($result['created']);
        $this->assertSame(['subscriber'], Db::roles($email));
        $this->assertSame('0', Db::userMeta($email, Db::prefix() . 'user_level'));

        $email2 = $this->email('escalate');
        $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $email2, 'role' => 'editor'], 'tags' => ['a'], 'create' => true, 'role' => 'editor']));
        $this->assertSame(['subscriber'], Db::roles($email2));
    }

    public function testAllowedRolesWithPowerAreIgnored(): void
    {
        $this->setSettings(['allowed_roles' => ['administrator', 'editor', 'author', 'contributor', 'shop_manager_missing']]);
        // None is safe: no role may be given, so creating is unavailable (and not remembered).
        $email = $this->email('norole');
        $this->assertError($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['a'], 'create' => true]), 503, 'unavailable');
        $this->assertNull(Db::userId($email));

        $this->setSettings(['allowed_roles' => ['editor', 'subscriber']]);
        $email = $this->email('safe');
        $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['a'], 'create' => true]));
        $this->assertSame(['subscriber'], Db::roles($email));
        $settings = Wp::run('settings-get');
        $this->assertSame(['subscriber'], $settings['allowed_roles_effective']);
    }

    public function testAnAdministratorsEmailWithCreateDoesNotCreateOrDemote(): void
    {
        $admin = Stack::get('TAGGATE_ADMIN_EMAIL');
        $result = $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $admin, 'first_name' => 'X'], 'tags' => ['t-' . bin2hex(random_bytes(2))], 'create' => true]));
        $this->assertFalse($result['created']);
        $this->assertSame(1, Db::countUsers($admin));
        $this->assertSame(['administrator'], Db::roles($admin));
    }
}
