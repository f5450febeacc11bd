<?php
/**
 * The admin screens over HTTP, as a browser would use them: the settings
 * page (secrets masked, shown once after a rotation that keeps the previous
 * one valid, constants read-only, the Settings API form), the rule tester,
 * tags on the profile screen and the users list, the delivery log, Site
 * Health; each refusing those without the capability or the nonce.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateAdminTest extends TestCase
{
    private GateFixture $f;
    private bool $restoreGating = false;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
    }

    protected function tearDown(): void
    {
        @unlink(Stack::get('TAGGATE_STACK') . '/wp-config-extra.php');
        if ($this->restoreGating) {
            $this->saveSettingsForm(['taggate_gating[denied_message]' => '', 'taggate_gating[denied_redirect]' => '', 'taggate_gating[post_types][]' => ['post', 'page']]);
            $this->restoreGating = false;
        }
        parent::tearDown();
    }

    private const SETTINGS = '/wp-admin/options-general.php?page=taggate';

    private static function fingerprint(string $secret): string
    {
        return 'sha256:' . substr(hash('sha256', $secret), 0, 8);
    }

    /** Submits the settings page's Settings API form with some fields changed. */
    private function saveSettingsForm(array $set): Response
    {
        $admin = $this->f->admin();
        $page = $admin->get(self::SETTINGS);
        $fields = GateHtml::with(GateHtml::fields($page->body, '//form[contains(@class,"taggate-settings-form")]'), $set);
        return $admin->post('/wp-admin/options.php', GateHtml::encode($fields), ['Content-Type' => 'application/x-www-form-urlencoded']);
    }

    private function ping(?string $secret = null): Response
    {
        return $this->send(['command' => 'ping'], null, $secret === null ? [] : ['secret' => $secret]);
    }

    public function testTheSettingsPageShowsNoSecret(): void
    {
        $secret = Stack::get('TAGGATE_WEBHOOK_SECRET');
        $r = $this->f->admin()->get(self::SETTINGS);
        $this->assertSame(200, $r->status);
        $this->assertStringNotContainsString($secret, $r->body);
        $this->assertStringNotContainsString(substr($secret, 6, 20), $r->body);
        $this->assertStringContainsString(self::fingerprint($secret), $r->body);
        foreach (['Signature scheme', 'CRM adapter', 'Roles for webhook-created users', 'Gated post types', 'Keep deliveries for', 'Rotation window'] as $label) {
            $this->assertStringContainsString($label, $r->body);
        }
        $this->assertStringContainsString('assets/css/admin.css', $r->body, 'its stylesheet');

        $sub = $this->f->client('vip')->get(self::SETTINGS);
        $this->assertSame(403, $sub->status);
        $this->assertStringNotContainsString(self::fingerprint($secret), $sub->body);
    }

    public function testRotatingShowsTheNewSecretOnceAndKeepsTheOldOneValid(): void
    {
        $admin = $this->f->admin();
        $old = Stack::get('TAGGATE_WEBHOOK_SECRET');
        try {
            $page = $admin->get(self::SETTINGS)->body;
            $fields = GateHtml::fields($page, '//form[contains(@class,"taggate-rotate-form")]');

            // Without the nonce: refused, nothing changes.
            $bad = GateHtml::with($fields, ['_wpnonce' => 'nope']);
            $r = $admin->post('/wp-admin/admin-post.php', GateHtml::encode($bad), ['Content-Type' => 'application/x-www-form-urlencoded']);
            $this->assertSame(403, $r->status);
            $this->assertStringContainsString(self::fingerprint($old), $admin->get(self::SETTINGS)->body);

            $r = $admin->post('/wp-admin/admin-post.php', GateHtml::encode(GateHtml::with($fields, ['rotation_hours' => '24'])), ['Content-Type' => 'application/x-www-form-urlencoded']);
            $this->assertSame(302, $r->status);
            $this->assertStringContainsString('taggate_notice=secret_rotated', (string) $r->header('location'));

            $once = $admin->get(self::SETTINGS)->body;
            $new = GateHtml::attr($once, '//input[contains(@class,"taggate-new-secret")]', 'value');
            $this->assertMatchesRegularExpression('/^whsec_[A-Za-z0-9+\/]{43}=$/', $new, 'a new whsec_ secret of 32 random bytes');
            $this->assertNotSame($old, $new);
            $this->assertStringContainsString('it will not be shown again', $once);

            $again = $admin->get(self::SETTINGS)->body;
            $this->assertStringNotContainsString($new, $again, 'shown once');
            $this->assertStringContainsString(self::fingerprint($new), $again);
            $this->assertStringContainsString(self::fingerprint($old), $again, 'the previous secret is listed');
            $this->assertStringContainsString('still verifies until', $again);

            $this->assertOk($this->ping($new), 'new secret');
            $this->assertOk($this->ping($old), 'previous secret, inside the window');
        } finally {
            Wp::settings(self::baseline());
        }
        $this->assertOk($this->ping($old), 'baseline restored');
    }

    public function testTheSettingsFormSavesThroughTheSettingsApi(): void
    {
        $this->restoreGating = true;
        $message = "Members only, {$this->f->s}. <strong>Join</strong><script>alert(1)</script>";
        $r = $this->saveSettingsForm([
            'taggate_gating[denied_message]' => $message,
            'taggate_settings[max_body_bytes]' => '0',
        ]);
        $this->assertSame(302, $r->status);
        $page = $this->f->admin()->get((string) $r->header('location'))->body;
        $this->assertStringContainsString('Largest body was not changed', $page, 'the invalid body limit is refused');
        $this->assertSame(1, substr_count($page, 'Largest body was not changed'), 'said once');
        $this->assertSame('1048576', GateHtml::attr($page, '//input[@id="taggate-max_body_bytes"]', 'value'));

        $locked = GateClient::visitor()->fetch($this->f->path('protected'))->body;
        $this->assertStringContainsString("Members only, {$this->f->s}. <strong>Join</strong>", $locked);
        $this->assertStringNotContainsString('<script>alert(1)</script>', $locked, 'the message is filtered (wp_kses_post)');

        // Without the options nonce nothing is saved.
        $admin = $this->f->admin();
        $fields = GateHtml::with(GateHtml::fields($admin->get(self::SETTINGS)->body, '//form[contains(@class,"taggate-settings-form")]'), ['_wpnonce' => 'bad', 'taggate_gating[denied_message]' => 'hijacked']);
        $admin->post('/wp-admin/options.php', GateHtml::encode($fields), ['Content-Type' => 'application/x-www-form-urlencoded']);
        $this->assertStringNotContainsString('hijacked', GateClient::visitor()->fetch($this->f->path('protected'))->body);
    }

    public function testAnOpenRedirectIsRefusedAndALocalOneWorks(): void
    {
        $this->restoreGating = true;
        foreach (['https://evil.example/', '//evil.example/x', 'javascript:alert(1)'] as $evil) {
            $this->saveSettingsForm(['taggate_gating[denied_redirect]' => $evil]);
            $r = GateClient::visitor()->get($this->f->path('protected'));
            $this->assertSame(200, $r->status, "$evil is refused");
            $this->assertNull($r->header('location'));
        }
        $this->saveSettingsForm(['taggate_gating[denied_redirect]' => '/join-us/']);
        $r = GateClient::visitor()->get($this->f->path('protected'));
        $this->assertSame(302, $r->status);
        $this->assertSame(Stack::url('/join-us/?redirect_to=' . rawurlencode($this->f->posts['protected']['link'])), $r->header('location'), 'to the local page, with the way back for visitors');
        $this->assertStringNotContainsString($this->f->m, $r->body);
        // Only the single view redirects; lists and REST show the message; those who pass stay.
        $this->assertSame(200, GateClient::visitor()->get('/wp-json/wp/v2/posts/' . $this->f->id('protected'))->status);
        $this->assertSame(200, $this->f->client('vip')->get($this->f->path('protected'))->status);
    }

    public function testConstantsAreShownReadOnly(): void
    {
        file_put_contents(Stack::get('TAGGATE_STACK') . '/wp-config-extra.php', "<?php\ndefine( 'TAGGATE_CRM_ADAPTER', 'drip' );\ndefine( 'TAGGATE_MAX_BODY_BYTES', 4096 );\n");
        $page = $this->f->admin()->get(self::SETTINGS)->body;
        $this->assertStringContainsString('TAGGATE_CRM_ADAPTER', $page);
        $this->assertSame('disabled', GateHtml::attr($page, '//select[@id="taggate-crm_adapter"]', 'disabled'));
        $this->assertSame('drip', GateHtml::attr($page, '//select[@id="taggate-crm_adapter"]/option[@selected]', 'value'));
        $this->assertSame('4096', GateHtml::attr($page, '//input[@id="taggate-max_body_bytes"]', 'value'));
        $this->assertSame('disabled', GateHtml::attr($page, '//input[@id="taggate-max_body_bytes"]', 'disabled'));
        $this->assertSame('', GateHtml::attr($page, '//select[@id="taggate-scheme"]', 'disabled'), 'others stay editable');
    }

    public function testTheRuleTester(): void
    {
        $admin = $this->f->admin();
        $url = '/wp-admin/tools.php?page=taggate-rule-tester';
        $fields = GateHtml::fields($admin->get($url)->body, '//div[contains(@class,"taggate-rule-tester")]//form');
        $post = fn (array $set) => $admin->post($url, GateHtml::encode(GateHtml::with($fields, $set)), ['Content-Type' => 'application/x-www-form-urlencoded'])->body;

        $html = $post(['taggate_rule' => 'ANY(gold, silver) && !refunded', 'taggate_tags' => "Silver\nother"]);
        $this->assertStringContainsString('taggate-result--pass', $html);
        $this->assertSame('any(gold, silver) and not refunded', GateHtml::text($html, '//code[contains(@class,"taggate-rule-canonical")]'));

        $html = $post(['taggate_rule' => 'any(gold, silver) and not refunded', 'taggate_tags' => 'silver, Refunded']);
        $this->assertStringContainsString('taggate-result--fail', $html);

        $html = $post(['taggate_rule' => 'course-a for 7d', 'taggate_tags' => 'course-a=2025-01-01', 'taggate_now' => '2025-01-05']);
        $this->assertStringContainsString('taggate-result--fail', $html, 'four days in');
        $html = $post(['taggate_rule' => 'course-a for 7d', 'taggate_tags' => 'course-a=2025-01-01', 'taggate_now' => '2025-01-09']);
        $this->assertStringContainsString('taggate-result--pass', $html, 'eight days in');

        $html = $post(['taggate_rule' => "vip and\n(gold or", 'taggate_tags' => 'vip']);
        $this->assertStringContainsString('taggate-result--invalid', $html);
        $this->assertStringContainsString('at line 2, column 9', $html);
        $this->assertStringContainsString("(gold or\n        ^", html_entity_decode(GateHtml::text($html, '//pre[contains(@class,"taggate-rule-caret")]')));

        $this->assertStringContainsString('&lt;b&gt;', $post(['taggate_rule' => '"<b>"', 'taggate_tags' => '<b>']), 'escaped');

        $bad = $admin->post($url, GateHtml::encode(GateHtml::with($fields, ['_wpnonce' => 'x', 'taggate_rule' => 'vip'])), ['Content-Type' => 'application/x-www-form-urlencoded']);
        $this->assertSame(403, $bad->status, 'nonce');
        $this->assertSame(403, $this->f->client('vip')->get($url)->status, 'capability');
    }

    public function testTagsOnTheProfileScreen(): void
    {
        $admin = $this->f->admin();
        $user = $this->f->users['none'];
        $url = '/wp-admin/user-edit.php?user_id=' . $user['id'];
        $submit = function (array $set) use ($admin, $url) {
            $fields = GateHtml::with(GateHtml::fields($admin->get($url)->body, '//form[@id="your-profile"]'), $set);
            return $admin->post('/wp-admin/user-edit.php', GateHtml::encode($fields), ['Content-Type' => 'application/x-www-form-urlencoded']);
        };
        try {
            $page = $admin->get($url)->body;
            $this->assertStringContainsString('TagGate tags', $page);
            $this->assertStringContainsString('No tags.', $page);

            $r = $submit(['taggate_add_tags' => "Alpha {$this->f->s}, beta"]);
            $this->assertSame(302, $r->status);
            $this->assertTags(["Alpha {$this->f->s}", 'beta'], $user['email']);
            $page = $admin->get($url)->body;
            $this->assertStringContainsString("Alpha {$this->f->s}", GateHtml::text($page, '//table[contains(@class,"taggate-tag-table")]'));
            $this->assertMatchesRegularExpression('/ago\)/', GateHtml::text($page, '//table[contains(@class,"taggate-tag-table")]'), 'applied times');

            $submit(['taggate_remove_tags[]' => ['beta']]);
            $this->assertTags(["Alpha {$this->f->s}"], $user['email']);

            $submit(['taggate_user_tags_nonce' => 'bad', 'taggate_add_tags' => 'sneaky']);
            $this->assertTags(["Alpha {$this->f->s}"], $user['email'], 'no change without the nonce');

            // A subscriber cannot change anyone's tags, not even their own.
            $sub = $this->f->client('none');
            $own = $sub->get('/wp-admin/profile.php')->body;
            $this->assertStringNotContainsString('TagGate tags', $own);
            $fields = GateHtml::with(GateHtml::fields($own, '//form[@id="your-profile"]'), ['taggate_add_tags' => 'self-granted', 'taggate_user_tags_nonce' => 'x']);
            $sub->post('/wp-admin/profile.php', GateHtml::encode($fields), ['Content-Type' => 'application/x-www-form-urlencoded']);
            $this->assertTags(["Alpha {$this->f->s}"], $user['email']);
        } finally {
            $this->f->setTags('none', []);
        }
    }

    public function testTheUsersListHasATagsColumnAndAFilter(): void
    {
        $admin = $this->f->admin();
        $list = $admin->get('/wp-admin/users.php?s=' . urlencode($this->f->s))->body;
        $this->assertStringContainsString('column-taggate_tags', $list);
        $this->assertStringContainsString('taggate_tag=vip', $list);
        $this->assertStringContainsString('>refunded</a>', $list);

        $filtered = $admin->get('/wp-admin/users.php?taggate_tag=VIP&s=' . urlencode($this->f->s))->body;
        $this->assertStringContainsString($this->f->users['vip']['login'], $filtered);
        $this->assertStringContainsString($this->f->users['refunded']['login'], $filtered);
        $this->assertStringNotContainsString($this->f->users['other']['login'], $filtered);
        $this->assertStringNotContainsString($this->f->users['none']['login'], $filtered);

        $this->assertStringNotContainsString('column-taggate_tags', $this->f->client('vip')->get('/wp-admin/users.php')->body);
    }

    public function testTheDeliveryLog(): void
    {
        $body = json_encode(['command' => 'ping']);
        $headers = Signer::headers($body, Signer::newId(), null, 'standard', 'whsec_' . base64_encode(random_bytes(32)));
        $this->assertError($this->sendRaw($body, $headers), 401, 'no_matching_signature');
        $rejected = (int) Db::value('SELECT MAX(id) FROM ' . Db::prefix() . "taggate_deliveries WHERE error_code = 'no_matching_signature'");
        $id = Signer::newId('msg_gatelog_');
        $this->assertOk($this->send(['command' => 'ping'], $id));

        $admin = $this->f->admin();
        $list = $admin->get('/wp-admin/tools.php?page=taggate-log&outcome=rejected')->body;
        $this->assertStringContainsString('no_matching_signature', $list);
        $this->assertStringNotContainsString('taggate-outcome--applied', $list, 'filtered by outcome');
        $this->assertStringContainsString("delivery=$rejected", GateHtml::attr($list, '//a[contains(@class,"row-title")]', 'href'), 'newest first');

        $found = $admin->get('/wp-admin/tools.php?page=taggate-log&command=ping&s=' . urlencode($id))->body;
        $this->assertStringContainsString($id, $found, 'search by delivery id');
        $this->assertStringNotContainsString('no_matching_signature', $found);
        $none = $admin->get('/wp-admin/tools.php?page=taggate-log&command=tags.add&s=' . urlencode($id))->body;
        $this->assertStringNotContainsString($id . '<', $none, 'filtered by command');

        $detail = $admin->get("/wp-admin/tools.php?page=taggate-log&delivery=$rejected")->body;
        $this->assertStringContainsString('no_matching_signature', $detail);
        $this->assertStringContainsString('The signature did not verify', $detail);

        $all = $admin->get('/wp-admin/tools.php?page=taggate-log')->body;
        foreach ([$list, $detail, $all] as $html) {
            $this->assertStringNotContainsString(Stack::get('TAGGATE_WEBHOOK_SECRET'), $html);
            $this->assertStringNotContainsString(substr(Stack::get('TAGGATE_WEBHOOK_SECRET'), 6, 16), $html);
            $this->assertStringNotContainsString(Stack::get('TAGGATE_CRM_KEY'), $html);
        }
        $this->assertSame(403, $this->f->client('vip')->get('/wp-admin/tools.php?page=taggate-log')->status);
    }

    public function testSiteHealth(): void
    {
        $admin = $this->f->admin();
        $status = $admin->get('/wp-admin/site-health.php')->body;
        $this->assertMatchesRegularExpression('/The taggate PHP extension [0-9.]+[^ ]* is loaded/', $status);
        $this->assertStringContainsString('webhook secret and CRM key are configured', $status);
        $this->assertStringContainsString('database tables are present', $status);
        $this->assertStringContainsString('taggate_deliveries', $status);
        $info = $admin->get('/wp-admin/site-health.php?tab=debug')->body;
        $this->assertStringContainsString('Gated post types', $info);
        $this->assertStringNotContainsString(Stack::get('TAGGATE_WEBHOOK_SECRET'), $info);
    }
}
