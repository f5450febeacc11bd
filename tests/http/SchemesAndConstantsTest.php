<?php
/**
 * The other signature schemes end to end, and configuration through the
 * TAGGATE_* constants of wp-config.php alone (SPEC §6).
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class SchemesAndConstantsTest extends TestCase
{
    private function extraConfig(): string
    {
        return Stack::get('TAGGATE_STACK') . '/wp-config-extra.php';
    }

    protected function tearDown(): void
    {
        @unlink($this->extraConfig());
        clearstatcache();
        parent::tearDown();
    }

    private function constants(array $constants): void
    {
        $php = "<?php\n// Written by SchemesAndConstantsTest; removed after the test.\n";
        foreach ($constants as $name => $value) {
            $php .= 'define(' . var_export($name, true) . ', ' . var_export($value, true) . ");\n";
        }
        file_put_contents($this->extraConfig(), $php);
        chmod($this->extraConfig(), 0644);
    }

    private function post(string $body, array $headers): Response
    {
        return $this->sendRaw($body, $headers);
    }

    public function testStripeSchemeWithReplayProtection(): void
    {
        $secret = 'sk_' . bin2hex(random_bytes(16));
        $this->setSettings(['scheme' => 'stripe', 'secret' => $secret]);
        $body = '{"command":"ping"}';
        $signed = (new \TagGate\Webhook('stripe', $secret))->sign($body);
        $r = $this->post($body, $signed);
        $this->assertOk($r);
        $this->assertSame('', $r->json()['id'], 'stripe carries no delivery id');
        $this->assertError($this->post($body, ['Stripe-Signature' => 't=' . time() . ',t=' . time() . ',v1=00']), 401, 'malformed_header');
        $this->assertError($this->post($body, (new \TagGate\Webhook('stripe', $secret))->sign($body, null, time() - 1000)), 401, 'timestamp_out_of_tolerance');
        $this->assertError($this->post($body, Signer::headers($body, Signer::newId())), 401, 'missing_header');
    }

    public function testGithubSchemeDeDuplicatesOnItsDeliveryHeader(): void
    {
        $secret = 'gh_' . bin2hex(random_bytes(16));
        $email = $this->subscriber();
        $this->setSettings(['scheme' => 'github', 'secret' => $secret]);
        $body = json_encode(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['gh']]);
        $headers = (new \TagGate\Webhook('github', $secret))->sign($body);
        $headers['X-GitHub-Delivery'] = 'gh-' . bin2hex(random_bytes(8));
        $r = $this->post($body, $headers);
        $this->assertOk($r);
        $this->assertSame($headers['X-GitHub-Delivery'], $r->json()['id']);
        $this->assertDuplicate($this->post($body, $headers));
        $this->assertError($this->post($body . ' ', $headers), 401, 'no_matching_signature');
    }

    public function testHubspotV3SignsMethodUrlBodyAndTimestamp(): void
    {
        $secret = 'hs_' . bin2hex(random_bytes(16));
        $this->setSettings(['scheme' => 'hubspot-v3', 'secret' => $secret]);
        $body = '{"command":"ping"}';
        $url = Stack::url(self::WEBHOOK);
        $headers = (new \TagGate\Webhook('hubspot-v3', $secret))->sign($body, null, null, 'POST', $url);
        $this->assertOk($this->post($body, $headers));
        $wrongUrl = (new \TagGate\Webhook('hubspot-v3', $secret))->sign($body, null, null, 'POST', $url . '?x=1');
        $this->assertError($this->post($body, $wrongUrl), 401, 'no_matching_signature');
    }

    public function testConfigurationThroughConstantsOnly(): void
    {
        $key = rtrim(strtr(base64_encode(random_bytes(32)), '+/', '-_'), '=');
        $this->constants([
            'TAGGATE_WEBHOOK_SCHEME' => 'stripe',
            'TAGGATE_WEBHOOK_SECRETS' => 'first_secret_0123456789   second_secret_9876543210',
            'TAGGATE_CRM_KEY' => $key,
            'TAGGATE_CRM_ADAPTER' => 'mailchimp',
            'TAGGATE_MAX_BODY_BYTES' => 4096,
            'TAGGATE_ALLOWED_ROLES' => 'editor, subscriber',
        ]);
        $settings = Wp::run('settings-get');
        $this->assertEqualsCanonicalizing(
            ['scheme', 'secret', 'previous_secret', 'previous_secret_expires', 'crm_key', 'crm_adapter', 'max_body_bytes', 'allowed_roles'],
            $settings['constants']
        );
        $this->assertSame(2, $settings['active_secrets']);

        $body = '{"command":"ping"}';
        foreach (['first_secret_0123456789', 'second_secret_9876543210'] as $secret) {
            $this->assertOk($this->post($body, (new \TagGate\Webhook('stripe', $secret))->sign($body)), "every listed secret verifies");
        }
        // The option's secret and scheme no longer count.
        $this->assertError($this->post($body, Signer::headers($body, Signer::newId())), 401, 'missing_header');
        $this->assertError($this->post($body, (new \TagGate\Webhook('stripe', Stack::get('TAGGATE_WEBHOOK_SECRET')))->sign($body)), 401, 'no_matching_signature');

        $big = '{"command":"ping","pad":"' . str_repeat('x', 4096) . '"}';
        $this->assertError($this->post($big, (new \TagGate\Webhook('stripe', 'first_secret_0123456789'))->sign($big)), 413, 'too_large');

        // CRM: the constant key and adapter.
        $email = $this->email('const');
        $mc = ['type' => 'subscribe', 'data' => ['id' => 'c' . bin2hex(random_bytes(4)), 'email' => $email, 'merges' => ['FNAME' => 'Con', 'LNAME' => 'Stant']]];
        $this->assertError($this->crm('contact.upsert', $mc), 401, 'no_matching_signature');
        $this->assertOk($this->crm('contact.upsert', $mc, ['key' => $key, 'tags' => 'Const']));
        $this->assertTags(['Const'], $email);
        // Allowed roles: editor is never allowed.
        $this->assertSame(['subscriber'], Db::roles($email));
    }
}
