<?php
/** Signs deliveries with the extension's own TagGate\Webhook. */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class Signer
{
    /** @return array<string,string> */
    public static function headers(string $body, ?string $id = null, ?int $ts = null, string $scheme = 'standard', ?string $secret = null, string $url = ''): array
    {
        $w = new \TagGate\Webhook($scheme, $secret ?? Stack::get('TAGGATE_WEBHOOK_SECRET'));
        return $w->sign($body, $id, $ts, 'POST', $url);
    }

    public static function newId(string $prefix = 'msg_test_'): string
    {
        return $prefix . bin2hex(random_bytes(10));
    }
}
