<?php
/**
 * POST /webhook: every 401, 413 and 503 of SPEC §6, the previous secret
 * during a rotation, and the raw-body rule.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class WebhookSignatureTest extends TestCase
{
    public function testSignedPingAnswersTheExactShape(): void
    {
        $id = Signer::newId();
        $r = $this->send(['command' => 'ping'], $id);
        $result = $this->assertOk($r);
        $this->assertSame($id, $r->json()['id']);
        $this->assertSame(['pong' => true], $result);
        $this->assertSame('no-store', $r->header('cache-control'));
    }

    public function testSvixHeaderNamesAreAccepted(): void
    {
        $body = '{"command":"ping"}';
        $h = Signer::headers($body, Signer::newId());
        $r = $this->sendRaw($body, [
            'svix-id' => $h['webhook-id'],
            'svix-timestamp' => $h['webhook-timestamp'],
            'svix-signature' => $h['webhook-signature'],
        ]);
        $this->assertOk($r);
    }

    public function testUnsignedIsMissingHeader(): void
    {
        $this->assertError($this->sendRaw('{"command":"ping"}', []), 401, 'missing_header');
    }

    public function testEachMissingHeaderIsMissingHeader(): void
    {
        $body = '{"command":"ping"}';
        $h = Signer::headers($body, Signer::newId());
        foreach (array_keys($h) as $drop) {
            $headers = $h;
            unset($headers[$drop]);
            $this->assertError($this->sendRaw($body, $headers), 401, 'missing_header');
        }
    }

    public function testMalformedTimestamps(): void
    {
        $body = '{"command":"ping"}';
        foreach (['yesterday', '-5', '99999999999999999999999', '12.5', ''] as $ts) {
            $h = Signer::headers($body, Signer::newId());
            $h['webhook-timestamp'] = $ts;
            $r = $this->sendRaw($body, $h);
            $this->assertSame(401, $r->status, "timestamp '$ts'");
            $code = $r->json()['error']['code'];
            $this->assertContains($code, $ts === '' ? ['malformed_header', 'missing_header'] : ['malformed_header'], "timestamp '$ts'");
        }
    }

    public function testStaleAndFutureTimestampsAreOutOfTolerance(): void
    {
        foreach ([-301, -3600, 301, 86400] as $offset) {
            $r = $this->send(['command' => 'ping'], null, ['timestamp' => time() + $offset]);
            $this->assertError($r, 401, 'timestamp_out_of_tolerance');
        }
        // Inside the window both ways.
        foreach ([-250, 250] as $offset) {
            $this->assertOk($this->send(['command' => 'ping'], null, ['timestamp' => time() + $offset]));
        }
    }

    public function testWrongSecretTamperedBodyAndGarbageSignatures(): void
    {
        $this->assertError(
            $this->send(['command' => 'ping'], null, ['secret' => 'whsec_' . base64_encode(random_bytes(32))]),
            401,
            'no_matching_signature'
        );

        $body = '{"command":"ping"}';
        $h = Signer::headers($body, Signer::newId());
        $this->assertError($this->sendRaw('{"command": "ping"}', $h), 401, 'no_matching_signature');

        foreach (['', 'v1,', 'v1,!!!notbase64', 'v2,' . substr($h['webhook-signature'], 3), 'garbage'] as $sig) {
            $h2 = Signer::headers($body, Signer::newId());
            $h2['webhook-signature'] = $sig;
            $r = $this->sendRaw($body, $h2);
            $this->assertSame(401, $r->status, "signature '$sig'");
            $this->assertContains($r->json()['error']['code'], ['no_matching_signature', 'missing_header'], "signature '$sig'");
        }
    }

    public function testSignatureIsCheckedOverTheRawBodyNotAReEncodedOne(): void
    {
        // Odd but valid JSON: spacing, escapes and key order that any re-encoding would change.
        $email = $this->email('raw');
        $body = "{ \"tags\" : [\"Caf\\u00e9\", \"a\\/b\"],\n \"command\":\"tags.add\", \"create\" : true,\t\"contact\": {\"email\": \"$email\"} }";
        $h = Signer::headers($body, Signer::newId());
        $result = $this->assertOk($this->sendRaw($body, $h));
        $this->assertSame(['Café', 'a/b'], $result['added']);
        $this->assertTags(['Café', 'a/b'], $email);
    }

    public function testSignedGarbageIsInvalidCommandUnsignedGarbageIs401(): void
    {
        $this->assertError($this->sendRaw('{not json', []), 401, 'missing_header');
        $body = '{not json';
        $r = $this->sendRaw($body, Signer::headers($body, Signer::newId()));
        $error = $this->assertError($r, 400, 'invalid_command');
        $this->assertStringStartsWith('/', $error['message']);
    }

    public function testPreviousSecretIsHonouredDuringRotationOnly(): void
    {
        $old = Stack::get('TAGGATE_WEBHOOK_SECRET');
        $new = 'whsec_' . base64_encode(random_bytes(32));
        $this->setSettings(['secret' => $new, 'previous_secret' => $old, 'previous_secret_expires' => time() + 3600]);
        $this->assertOk($this->send(['command' => 'ping'], null, ['secret' => $old]), 'old secret inside the window');
        $this->assertOk($this->send(['command' => 'ping'], null, ['secret' => $new]), 'new secret');

        $this->setSettings(['previous_secret_expires' => time() - 1]);
        $this->assertError($this->send(['command' => 'ping'], null, ['secret' => $old]), 401, 'no_matching_signature');
        $this->assertOk($this->send(['command' => 'ping'], null, ['secret' => $new]));
    }

    public function testRotateSecretThroughTheSettingsApi(): void
    {
        $this->setSettings([]);
        $old = Stack::get('TAGGATE_WEBHOOK_SECRET');
        $new = Wp::run('rotate', '600')['secret'];
        $this->assertStringStartsWith('whsec_', $new);
        $this->assertNotSame($old, $new);
        $this->assertOk($this->send(['command' => 'ping'], null, ['secret' => $old]));
        $this->assertOk($this->send(['command' => 'ping'], null, ['secret' => $new]));
        $settings = Wp::run('settings-get');
        $this->assertSame(2, $settings['active_secrets']);
        $this->assertStringNotContainsString($new, json_encode($settings), 'settings-get never prints a secret');
    }

    public function testNoSecretConfiguredIs503(): void
    {
        $this->setSettings(['secret' => '', 'previous_secret' => '']);
        $this->assertError($this->send(['command' => 'ping']), 503, 'unavailable');
    }

    public function testUnusableSchemeSettingIs503(): void
    {
        $this->setSettings(['secret' => 'whsec_dG9vc2hvcnQ=']); // Decodes to 8 bytes: too short for standard.
        $this->assertError($this->send(['command' => 'ping']), 503, 'unavailable');
    }

    public function testBodyOverTheLimitIs413BeforeAndAfterReading(): void
    {
        // Default limit: 1 MiB. A signed body one byte over it.
        $pad = str_repeat('x', 1048576);
        $body = '{"command":"ping","pad":"' . substr($pad, 0, 1048576 - 27) . '"}';
        $this->assertSame(1048576, strlen($body), 'fixture is exactly the limit');
        $this->assertOk($this->sendRaw($body, Signer::headers($body, Signer::newId())), 'exactly the limit passes');
        $over = $body . ' ';
        $this->assertError($this->sendRaw($over, Signer::headers($over, Signer::newId())), 413, 'too_large');
        // Unsigned too: the size is checked before the signature.
        $this->assertError($this->sendRaw($over, []), 413, 'too_large');

        // A lower configured limit, and a chunked body (no Content-Length) checked after reading.
        $this->setSettings(['max_body_bytes' => 2000]);
        $small = '{"command":"ping","pad":"' . str_repeat('y', 2000 - 27) . '"}';
        $this->assertOk($this->sendRaw($small, Signer::headers($small, Signer::newId())));
        $big = $small . '  ';
        $this->assertError($this->sendRaw($big, Signer::headers($big, Signer::newId())), 413, 'too_large');
        $chunked = Http::post(Stack::url(self::WEBHOOK), $big, Signer::headers($big, Signer::newId()) + ['Content-Type' => 'application/json', 'Transfer-Encoding' => 'chunked']);
        $this->assertError($chunked, 413, 'too_large');
    }

    public function testAHugeDeclaredBodyIsRefusedQuickly(): void
    {
        $body = str_repeat('z', 8 * 1048576);
        $r = $this->sendRaw($body, []);
        $this->assertError($r, 413, 'too_large');
    }

    public function testNoExtensionMeansEveryEndpointIs503(): void
    {
        $base = Stack::urlNoExt();
        $this->assertError($this->send(['command' => 'ping'], null, ['base' => $base]), 503, 'unavailable');
        $this->assertError($this->sendRaw('{}', [], $base), 503, 'unavailable');
        $this->assertError(Http::get($this->crmUrl('tags.add', [], $base)), 503, 'unavailable');
        $this->assertError(Http::post($this->crmUrl('tags.add', ['tags' => 'A'], $base), 'email=a@example.test', ['Content-Type' => 'application/x-www-form-urlencoded']), 503, 'unavailable');
    }

    public function testGetOnTheWebhookIsNotARoute(): void
    {
        $r = Http::get(Stack::url(self::WEBHOOK));
        $this->assertSame(404, $r->status);
    }
}
