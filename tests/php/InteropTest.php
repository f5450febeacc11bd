<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\Webhook;

/**
 * Signatures interoperate both ways with real peer libraries: the Standard
 * Webhooks and Stripe packages from PyPI, and @octokit/webhooks-methods from
 * npm (installed by scripts/setup-system.sh).
 */
final class InteropTest extends TestCase
{
    /**
     * @param array<string, mixed> $request
     * @return array<string, mixed>
     */
    private static function peer(array $cmd, array $request): array
    {
        $proc = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, TAGGATE_REPO);
        self::assertIsResource($proc);
        fwrite($pipes[0], json_encode($request, JSON_THROW_ON_ERROR));
        fclose($pipes[0]);
        $out = stream_get_contents($pipes[1]);
        $err = stream_get_contents($pipes[2]);
        $code = proc_close($proc);
        self::assertSame(0, $code, "peer failed: $err");
        return json_decode((string) $out, true, 32, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, mixed> */
    private static function python(array $request): array
    {
        return self::peer(['python3', __DIR__ . '/peers/peer.py'], $request);
    }

    /** @return array<string, mixed> */
    private static function node(array $request): array
    {
        return self::peer(['node', __DIR__ . '/peers/peer.mjs'], $request);
    }

    /** @return iterable<string, array{string}> */
    public static function bodies(): iterable
    {
        yield 'json' => ['{"command":"tags.add","contact":{"email":"ana@example.com"},"tags":["Course A"]}'];
        yield 'unicode' => ['{"tag":"Café ✓ 日本"}'];
        yield 'large' => [json_encode(['pad' => str_repeat('x', 70000)])];
    }

    /** @dataProvider bodies */
    public function testStandardWebhooksBothWays(string $body): void
    {
        $secret = 'whsec_' . base64_encode(random_bytes(32));
        $ts = time();
        $peer = self::python(['lib' => 'standardwebhooks', 'op' => 'sign', 'secret' => $secret, 'id' => 'msg_peer1', 'timestamp' => $ts, 'body' => $body]);
        self::assertSame('msg_peer1', (new Webhook('standard', $secret))->verify($peer['headers'], $body));

        $ours = (new Webhook('standard', $secret))->sign($body, 'msg_ours', $ts);
        $answer = self::python(['lib' => 'standardwebhooks', 'op' => 'verify', 'secret' => $secret, 'headers' => $ours, 'body' => $body]);
        self::assertTrue($answer['ok'], json_encode($answer));
        $answer = self::python(['lib' => 'standardwebhooks', 'op' => 'verify', 'secret' => $secret, 'headers' => $ours, 'body' => $body . 'x']);
        self::assertFalse($answer['ok'], 'the peer rejects a changed body: the check above is meaningful');
    }

    /** @dataProvider bodies */
    public function testStripeBothWays(string $body): void
    {
        $secret = 'whsec_' . bin2hex(random_bytes(16));
        $ts = time();
        $peer = self::python(['lib' => 'stripe', 'op' => 'sign', 'secret' => $secret, 'timestamp' => $ts, 'body' => $body]);
        self::assertSame('', (new Webhook('stripe', $secret))->verify($peer['headers'], $body));
        // Kit uses Stripe's format under its own header name.
        self::assertSame('', (new Webhook('kit', $secret))->verify(['X-Kit-Signature' => $peer['headers']['Stripe-Signature']], $body));

        $ours = array_change_key_case((new Webhook('stripe', $secret))->sign($body, null, $ts));
        $answer = self::python(['lib' => 'stripe', 'op' => 'verify', 'secret' => $secret, 'headers' => ['Stripe-Signature' => $ours['stripe-signature']], 'body' => $body]);
        self::assertTrue($answer['ok'], json_encode($answer));
        $answer = self::python(['lib' => 'stripe', 'op' => 'verify', 'secret' => $secret . 'x', 'headers' => ['Stripe-Signature' => $ours['stripe-signature']], 'body' => $body]);
        self::assertFalse($answer['ok']);
    }

    /** @dataProvider bodies */
    public function testOctokitGithubBothWays(string $body): void
    {
        $secret = 'gh-' . bin2hex(random_bytes(12));
        $peer = self::node(['op' => 'sign', 'secret' => $secret, 'body' => $body]);
        self::assertSame('', (new Webhook('github', $secret))->verify($peer['headers'], $body));

        $ours = array_change_key_case((new Webhook('github', $secret))->sign($body));
        self::assertTrue(self::node(['op' => 'verify', 'secret' => $secret, 'headers' => $ours, 'body' => $body])['ok']);
        self::assertFalse(self::node(['op' => 'verify', 'secret' => $secret, 'headers' => $ours, 'body' => $body . ' '])['ok']);
    }
}
