<?php
/**
 * A second WordPress on the stack (--test), with a *copy* of the plugin folder
 * installed as a site owner would and configured only through TAGGATE_*
 * constants: SPEC §5–6 hold there too; deactivating keeps the data; deleting
 * the plugin removes its tables, options, user meta and capability.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class SecondSiteTest extends TestCase
{
    private static function url(string $path = ''): string
    {
        return Stack::get('TAGGATE_SITE2_URL') . $path;
    }

    private static function secrets(): array
    {
        return explode(' ', Stack::get('TAGGATE_SITE2_SECRETS'));
    }

    protected function setUp(): void
    {
        parent::setUp();
        $env = Stack::env();
        if (!isset($env['TAGGATE_SITE2_URL'])) {
            $this->markTestSkipped('no second site (scripts/stack.sh up --test makes one)');
        }
        try {
            Http::get(self::url('/wp-json/'));
        } catch (\RuntimeException $e) {
            $this->markTestSkipped('the second site is not running (scripts/stack.sh up --test)');
        }
    }

    private function post(array $command, ?string $secret = null, ?string $id = null): Response
    {
        $body = self::json($command);
        $headers = Signer::headers($body, $id ?? Signer::newId(), null, 'standard', $secret ?? self::secrets()[0]);
        $headers['Content-Type'] = 'application/json';
        return Http::post(self::url(self::WEBHOOK), $body, $headers);
    }

    private static function wp2(string ...$args): mixed
    {
        $cmd = 'bash ' . escapeshellarg(Stack::root() . '/scripts/stack.sh') . ' wp2 ' . implode(' ', array_map('escapeshellarg', $args)) . ' 2>&1';
        exec($cmd, $out, $rc);
        if ($rc !== 0) {
            throw new \RuntimeException("stack.sh wp2 {$args[0]} failed: " . implode("\n", $out));
        }
        return json_decode(substr(implode("\n", $out), (int) strpos(implode("\n", $out), '{')), true);
    }

    public function testConstantsOnlyConfiguration(): void
    {
        $email = $this->email('site2');
        foreach (self::secrets() as $i => $secret) {
            $this->assertOk($this->post(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ["s$i"], 'create' => true], $secret), "secret $i verifies");
        }
        $this->assertError($this->post(['command' => 'ping'], Stack::get('TAGGATE_WEBHOOK_SECRET')), 401, 'no_matching_signature');
        $this->assertSame(['s0', 's1'], array_keys(array_column(Db::rows('SELECT t.tag FROM wp2_taggate_tags t JOIN wp2_users u ON u.ID = t.user_id WHERE u.user_email = ? ORDER BY t.seq', [$email]), 'tag', 'tag')));
        $caps = (string) Db::value('SELECT meta_value FROM wp2_usermeta m JOIN wp2_users u ON u.ID = m.user_id WHERE u.user_email = ? AND m.meta_key = ?', [$email, 'wp2_capabilities']);
        $this->assertSame(['subscriber' => true], unserialize($caps));
        $this->assertNull(Db::userId($email), 'nothing leaked into the first site');

        // The body limit of the constant (64 KiB).
        $big = ['command' => 'ping', 'pad' => str_repeat('x', 65536)];
        $this->assertError($this->post($big), 413, 'too_large');

        // CRM: the constant key and adapter (activecampaign).
        $ac = ['type' => 'contact_tag_added', 'contact' => ['id' => 'ac' . bin2hex(random_bytes(3)), 'email' => $email, 'tags' => 'a, b'], 'tag' => 'AC'];
        $crm = fn (string $key) => Http::post(self::url('/wp-json/taggate/v1/crm/tags.add?key=' . rawurlencode($key)), http_build_query($ac), ['Content-Type' => 'application/x-www-form-urlencoded']);
        $this->assertError($crm(Stack::get('TAGGATE_CRM_KEY')), 401, 'no_matching_signature');
        $this->assertOk($crm(Stack::get('TAGGATE_SITE2_CRM_KEY')));

        // Nothing of it is stored as an option.
        $stored = (string) Db::value("SELECT option_value FROM wp2_options WHERE option_name = 'taggate_settings'");
        foreach (array_merge(self::secrets(), [Stack::get('TAGGATE_SITE2_CRM_KEY')]) as $secret) {
            $this->assertStringNotContainsString($secret, $stored);
        }
    }

    public function testDeactivateKeepsDataAndDeleteRemovesEverything(): void
    {
        $email = $this->email('site2-un');
        $this->assertOk($this->post(['command' => 'tags.add', 'contact' => ['email' => $email, 'crm_id' => 'u' . bin2hex(random_bytes(3))], 'tags' => ['Keep'], 'create' => true]));
        $this->assertGreaterThanOrEqual(1, (int) Db::value("SELECT COUNT(*) FROM wp2_usermeta WHERE meta_key = 'taggate_crm_id'"));

        self::wp2('deactivate');
        $this->assertSame(404, Http::post(self::url(self::WEBHOOK), '{}', ['Content-Type' => 'application/json'])->status, 'no route while inactive');
        $this->assertSame(5, (int) Db::value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'wp2\\_taggate\\_%'"));
        self::wp2('activate');
        $this->assertOk($this->post(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['Again']]));
        $this->assertSame(2, (int) Db::value('SELECT COUNT(*) FROM wp2_taggate_tags t JOIN wp2_users u ON u.ID = t.user_id WHERE u.user_email = ?', [$email]), 'data kept');

        try {
            self::wp2('uninstall');
            $this->assertSame(0, (int) Db::value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'wp2\\_taggate\\_%'"), 'tables dropped');
            $this->assertSame(0, (int) Db::value("SELECT COUNT(*) FROM wp2_options WHERE option_name LIKE 'taggate\\_%'"), 'options deleted');
            $this->assertSame(0, (int) Db::value("SELECT COUNT(*) FROM wp2_usermeta WHERE meta_key LIKE 'taggate\\_%'"), 'user meta deleted');
            $roles = (string) Db::value("SELECT option_value FROM wp2_options WHERE option_name = 'wp2_user_roles'");
            $this->assertStringNotContainsString('taggate_bypass', $roles, 'capability removed');
            $this->assertStringContainsString('manage_options', $roles);
            $this->assertSame(0, (int) Db::value("SELECT COUNT(*) FROM wp2_options WHERE option_name = 'cron' AND option_value LIKE '%taggate%'"), 'cron event removed');
            // The first site is untouched.
            $this->assertSame(5, (int) Db::value("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'wp\\_taggate\\_%'"));
        } finally {
            self::wp2('activate');
        }
        $this->assertOk($this->post(['command' => 'ping']), 'works again after a new activation');
        $admins = (string) Db::value("SELECT option_value FROM wp2_options WHERE option_name = 'wp2_user_roles'");
        $this->assertStringContainsString('taggate_bypass', $admins, 'activation grants the capability again');
    }
}
