<?php
/**
 * Base class of the HTTP tests: signed deliveries, CRM posts, assertions on
 * the JSON answers of SPEC §6, settings restored after each test.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    public const WEBHOOK = '/wp-json/taggate/v1/webhook';

    private bool $settingsChanged = false;

    /** The settings every test starts from (what stack.sh configures). */
    public static function baseline(): array
    {
        return [
            'scheme' => 'standard',
            'secret' => Stack::get('TAGGATE_WEBHOOK_SECRET'),
            'previous_secret' => '',
            'previous_secret_expires' => 0,
            'tolerance' => 300,
            'crm_key' => Stack::get('TAGGATE_CRM_KEY'),
            'crm_adapter' => 'generic',
            'kit_secret' => '',
            'max_body_bytes' => 1048576,
            'allowed_roles' => ['subscriber'],
            'login_link_ttl' => 900,
            'ontraport_tag_map' => [],
        ];
    }

    protected function setSettings(array $values): void
    {
        $this->settingsChanged = true;
        Wp::settings($values);
    }

    protected function tearDown(): void
    {
        if ($this->settingsChanged) {
            Wp::settings(self::baseline());
            $this->settingsChanged = false;
        }
        parent::tearDown();
    }

    /** A fresh e-mail address nobody has. */
    protected function email(string $label = 'user'): string
    {
        return $label . '-' . bin2hex(random_bytes(5)) . '@example.test';
    }

    protected static function json(array|string $command): string
    {
        return is_string($command) ? $command : json_encode($command, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }

    /** Signs (standard scheme, the stack's secret unless given) and posts a command. */
    protected function send(array|string $command, ?string $id = null, array $opts = []): Response
    {
        $body = self::json($command);
        $headers = Signer::headers($body, $id ?? Signer::newId(), $opts['timestamp'] ?? null, $opts['scheme'] ?? 'standard', $opts['secret'] ?? null);
        $headers['Content-Type'] = 'application/json';
        $headers += $opts['headers'] ?? [];
        return Http::post(($opts['base'] ?? Stack::url()) . self::WEBHOOK, $body, $headers);
    }

    /** Posts a body with exactly these headers. */
    protected function sendRaw(string $body, array $headers, ?string $base = null): Response
    {
        $headers += ['Content-Type' => 'application/json'];
        return Http::post(($base ?? Stack::url()) . self::WEBHOOK, $body, $headers);
    }

    /** A request for Http::multi() of a signed delivery. */
    protected function signedRequest(array|string $command, ?string $id = null): array
    {
        $body = self::json($command);
        $headers = Signer::headers($body, $id ?? Signer::newId());
        $headers['Content-Type'] = 'application/json';
        return ['method' => 'POST', 'url' => Stack::url(self::WEBHOOK), 'headers' => $headers, 'body' => $body];
    }

    /** The CRM endpoint URL. */
    protected function crmUrl(string $command, array $query = [], ?string $base = null): string
    {
        $query += ['key' => Stack::get('TAGGATE_CRM_KEY')];
        if ($query['key'] === null) {
            unset($query['key']);
        }
        return ($base ?? Stack::url()) . '/wp-json/taggate/v1/crm/' . $command . ($query ? '?' . http_build_query($query, '', '&', PHP_QUERY_RFC3986) : '');
    }

    /** Posts a CRM payload (an array is form-encoded; a string is sent as is). */
    protected function crm(string $command, array|string $body, array $query = [], string $contentType = 'application/x-www-form-urlencoded', array $headers = []): Response
    {
        $raw = is_array($body) ? http_build_query($body, '', '&') : $body;
        $headers['Content-Type'] = $contentType;
        return Http::post($this->crmUrl($command, $query), $raw, $headers);
    }

    /** Asserts `{"ok": true, "id", "duplicate", "result"}` with status 200; returns result. */
    protected function assertOk(Response $r, string $message = '', bool $duplicate = false): array
    {
        $this->assertSame(200, $r->status, ($message !== '' ? "$message: " : '') . 'HTTP status; body: ' . substr($r->body, 0, 800));
        $this->assertStringStartsWith('application/json', (string) $r->header('content-type'));
        $data = $r->json();
        $this->assertSame(['ok', 'id', 'duplicate', 'result'], array_keys($data), 'answer shape');
        $this->assertTrue($data['ok']);
        $this->assertIsString($data['id']);
        $this->assertSame($duplicate, $data['duplicate'], 'duplicate flag');
        $this->assertIsObject($r->jsonObject()->result, 'result is a JSON object');
        return $data['result'];
    }

    /** Asserts a 200 duplicate answer; returns its result. */
    protected function assertDuplicate(Response $r, string $message = ''): array
    {
        return $this->assertOk($r, $message, true);
    }

    /** Asserts `{"ok": false, "error": {"code", "message"}}` with the status and code. */
    protected function assertError(Response $r, int $status, string $code): array
    {
        $this->assertSame($status, $r->status, 'HTTP status; body: ' . substr($r->body, 0, 800));
        $this->assertStringStartsWith('application/json', (string) $r->header('content-type'));
        $data = $r->json();
        $this->assertSame(['ok', 'error'], array_keys($data), 'answer shape: ' . $r->body);
        $this->assertFalse($data['ok']);
        $this->assertSame(['code', 'message'], array_keys($data['error']));
        $this->assertSame($code, $data['error']['code'], 'error code; message: ' . $data['error']['message']);
        $this->assertIsString($data['error']['message']);
        $this->assertNotSame('', $data['error']['message']);
        return $data['error'];
    }

    /** Creates a subscriber through the webhook (create: true) holding $tags; returns its e-mail. */
    protected function subscriber(array $tags = [], ?string $email = null, array $contact = []): string
    {
        $email ??= $this->email();
        $r = $this->send(['command' => 'tags.add', 'contact' => ['email' => $email] + $contact, 'tags' => $tags, 'create' => true]);
        $this->assertOk($r);
        return $email;
    }

    /** @param string[] $expected */
    protected function assertTags(array $expected, string $email, string $message = ''): void
    {
        $actual = array_map('strval', array_keys(Db::tags($email)));
        sort($actual);
        sort($expected);
        $this->assertSame($expected, $actual, $message ?: "tags of $email");
    }
}
