<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\SignatureException;
use TagGate\Webhook;

final class WebhookTest extends TestCase
{
    private const STD_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    private const NOW = 1764000000;

    /** @return iterable<string, array{string, string}> */
    public static function schemes(): iterable
    {
        yield 'standard' => ['standard', self::STD_SECRET];
        yield 'stripe' => ['stripe', 'whsec_stripe_raw_secret'];
        yield 'kit' => ['kit', 'kit-secret'];
        yield 'github' => ['github', "It's a Secret to Everybody"];
        yield 'shopify' => ['shopify', 'shopify-secret'];
        yield 'hubspot-v3' => ['hubspot-v3', 'hubspot-client-secret'];
    }

    /** @dataProvider schemes */
    public function testSignThenVerifyRoundTrips(string $scheme, string $secret): void
    {
        $hook = new Webhook($scheme, $secret);
        $body = '{"command":"ping","é":"' . "\x00\xff" . '"}';
        $url = 'https://example.com/wp-json/taggate/v1/webhook';
        $headers = $hook->sign($body, 'msg_1', self::NOW, 'POST', $url);
        self::assertNotEmpty($headers);
        $hook->verify($headers, $body, self::NOW, 'POST', $url);
        // One changed byte fails.
        try {
            $hook->verify($headers, $body . ' ', self::NOW, 'POST', $url);
            self::fail('a changed body verified');
        } catch (SignatureException $e) {
            self::assertSame(SignatureException::NO_MATCHING_SIGNATURE, $e->getCode());
            self::assertStringNotContainsString($secret, $e->getMessage());
        }
    }

    public function testSignDefaultsTimestampAndId(): void
    {
        $hook = new Webhook('standard', self::STD_SECRET);
        $a = array_change_key_case($hook->sign('{}'));
        $b = array_change_key_case($hook->sign('{}'));
        self::assertStringStartsWith('msg_', $a['webhook-id']);
        self::assertNotSame($a['webhook-id'], $b['webhook-id'], 'fresh ids');
        self::assertEqualsWithDelta(time(), (int) $a['webhook-timestamp'], 5);
        self::assertSame($a['webhook-id'], $hook->verify($a, '{}'));
    }

    public function testRotationAcceptsAnySecretAndSignsWithTheFirst(): void
    {
        $old = 'whsec_' . base64_encode(str_repeat('o', 32));
        $new = 'whsec_' . base64_encode(str_repeat('n', 32));
        $signedOld = (new Webhook('standard', $old))->sign('{}', 'msg_x', self::NOW);
        $both = new Webhook('standard', [$new, $old]);
        self::assertSame('msg_x', $both->verify($signedOld, '{}', self::NOW));
        $signedNew = $both->sign('{}', 'msg_y', self::NOW);
        self::assertSame('msg_y', (new Webhook('standard', $new))->verify($signedNew, '{}', self::NOW));
        $this->expectException(SignatureException::class);
        (new Webhook('standard', $old))->verify($signedNew, '{}', self::NOW);
    }

    public function testHeaderValuesMayBeLists(): void
    {
        $hook = new Webhook('github', 'secret');
        $good = $hook->sign('body')['X-Hub-Signature-256'] ?? array_change_key_case($hook->sign('body'))['x-hub-signature-256'];
        $headers = ['x-hub-signature-256' => ['sha256=' . str_repeat('0', 64), $good], 'X-GitHub-Delivery' => 'd-1'];
        self::assertSame('d-1', $hook->verify($headers, 'body'));
    }

    public function testToleranceWindowBothWays(): void
    {
        $hook = new Webhook('standard', self::STD_SECRET, 60);
        $h = $hook->sign('{}', 'msg_t', self::NOW);
        $hook->verify($h, '{}', self::NOW + 60);
        $hook->verify($h, '{}', self::NOW - 60);
        foreach ([self::NOW + 61, self::NOW - 61] as $now) {
            try {
                $hook->verify($h, '{}', $now);
                self::fail('outside the window');
            } catch (SignatureException $e) {
                self::assertSame(SignatureException::TIMESTAMP_OUT_OF_TOLERANCE, $e->getCode());
            }
        }
    }

    /** @return iterable<string, array{array<string, string>, int}> */
    public static function badStandardHeaders(): iterable
    {
        $ok = ['webhook-id' => 'msg_1', 'webhook-timestamp' => (string) self::NOW, 'webhook-signature' => 'v1,AAAA'];
        yield 'no id' => [array_diff_key($ok, ['webhook-id' => 1]), SignatureException::MISSING_HEADER];
        yield 'no timestamp' => [array_diff_key($ok, ['webhook-timestamp' => 1]), SignatureException::MISSING_HEADER];
        yield 'negative timestamp' => [['webhook-timestamp' => '-5'] + $ok, SignatureException::MALFORMED_HEADER];
        yield 'overflowing timestamp' => [['webhook-timestamp' => '99999999999999999999999'] + $ok, SignatureException::MALFORMED_HEADER];
        yield 'float timestamp' => [['webhook-timestamp' => '1764000000.5'] + $ok, SignatureException::MALFORMED_HEADER];
        yield 'empty signature' => [['webhook-signature' => ''] + $ok, SignatureException::NO_MATCHING_SIGNATURE];
        yield 'only v2' => [['webhook-signature' => 'v2,AAAA'] + $ok, SignatureException::NO_MATCHING_SIGNATURE];
        yield 'not base64' => [['webhook-signature' => 'v1,!!!'] + $ok, SignatureException::NO_MATCHING_SIGNATURE];
        yield 'binary garbage' => [['webhook-signature' => "\xff\x00\xfe"] + $ok, SignatureException::NO_MATCHING_SIGNATURE];
    }

    /**
     * @dataProvider badStandardHeaders
     * @param array<string, string> $headers
     */
    public function testBadHeaders(array $headers, int $code): void
    {
        try {
            (new Webhook('standard', self::STD_SECRET))->verify($headers, '{}', self::NOW);
            self::fail('verified');
        } catch (SignatureException $e) {
            self::assertSame($code, $e->getCode(), $e->getMessage());
            self::assertStringNotContainsString('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', $e->getMessage());
        }
    }

    public function testStripeNeedsExactlyOneTimestamp(): void
    {
        $this->expectExceptionCode(SignatureException::MALFORMED_HEADER);
        (new Webhook('stripe', 'sk'))->verify(['Stripe-Signature' => 't=1,t=2,v1=00'], '{}', 1);
    }

    public function testExpectedSignatureNeverAppearsInMessages(): void
    {
        $hook = new Webhook('github', 'topsecret');
        $right = array_change_key_case($hook->sign('payload'))['x-hub-signature-256'];
        try {
            $hook->verify(['X-Hub-Signature-256' => 'sha256=' . str_repeat('a', 64)], 'payload');
            self::fail('verified');
        } catch (SignatureException $e) {
            self::assertStringNotContainsString(substr($right, 7), $e->getMessage());
            self::assertStringNotContainsString('topsecret', $e->getMessage());
        }
    }

    /** @return iterable<string, array{string, mixed}> */
    public static function badConstructions(): iterable
    {
        yield 'unknown scheme' => ['md5', 'a-long-secret-value'];
        yield 'empty list' => ['github', []];
        yield 'standard without prefix' => ['standard', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'];
        yield 'standard short key' => ['standard', 'whsec_' . base64_encode('short')];
        yield 'standard not base64' => ['standard', 'whsec_!!!!'];
        yield 'empty raw secret' => ['github', ''];
    }

    /** @dataProvider badConstructions */
    public function testBadConstructionIsAValueError(string $scheme, mixed $secrets): void
    {
        try {
            new Webhook($scheme, $secrets);
            self::fail('constructed');
        } catch (\ValueError $e) {
            self::assertNotSame('', $e->getMessage());
            foreach ((array) $secrets as $s) {
                if ($s !== '') {
                    self::assertStringNotContainsString($s, $e->getMessage());
                }
            }
        }
    }

    public function testWrongHeaderValueTypeIsATypeError(): void
    {
        $this->expectException(\TypeError::class);
        (new Webhook('github', 's'))->verify(['X-Hub-Signature-256' => 5], 'b');
    }

    public function testTaggateVerifyAnswersFalse(): void
    {
        $hook = new Webhook('standard', self::STD_SECRET);
        $h = $hook->sign('{}', 'msg_1', self::NOW);
        self::assertTrue(taggate_verify('standard', self::STD_SECRET, $h, '{}', 300, self::NOW));
        self::assertFalse(taggate_verify('standard', self::STD_SECRET, $h, '{}', 300, self::NOW + 301));
        self::assertFalse(taggate_verify('standard', self::STD_SECRET, [], '{}'));
    }
}
