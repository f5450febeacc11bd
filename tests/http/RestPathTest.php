<?php
/**
 * The same answers through WordPress's REST server, for sites that turn the
 * fast path off (filters taggate_fast_path / taggate_lean_endpoint). The
 * test mu-plugin turns it off for requests carrying X-TagGate-Rest-Path.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class RestPathTest extends TestCase
{
    private const REST = ['X-TagGate-Rest-Path' => '1'];

    public function testStatusesAndShapesMatchTheFastPath(): void
    {
        $email = $this->email('rest');
        $id = Signer::newId();
        $cmd = ['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['R'], 'create' => true];
        $r = $this->send($cmd, $id, ['headers' => self::REST]);
        $result = $this->assertOk($r);
        $this->assertNotNull($r->header('allow'), 'served by the REST server (it sends Allow)');
        $this->assertNull($this->send(['command' => 'ping'])->header('allow'), 'the fast path does not');
        $this->assertTrue($result['created']);
        $this->assertTags(['R'], $email);
        $this->assertDuplicate($this->send($cmd, $id, ['headers' => self::REST]));

        $this->assertError($this->sendRaw('{"command":"ping"}', self::REST), 401, 'missing_header');
        // Invalid JSON: WordPress's own rest_invalid_json must not answer first.
        $this->assertError($this->sendRaw('{bad', self::REST), 401, 'missing_header');
        $this->assertError($this->sendRaw('{bad', Signer::headers('{bad', Signer::newId()) + self::REST), 400, 'invalid_command');
        $this->assertError($this->send(['command' => 'tags.add', 'contact' => ['email' => $this->email()], 'tags' => ['x']], null, ['headers' => self::REST]), 404, 'unknown_contact');
        $this->assertError($this->send(['command' => 'login.link', 'contact' => ['email' => Stack::get('TAGGATE_ADMIN_EMAIL')]], null, ['headers' => self::REST]), 403, 'protected_user');
        $big = '{"command":"ping","pad":"' . str_repeat('x', 1048576) . '"}';
        $this->assertError($this->sendRaw($big, Signer::headers($big, Signer::newId()) + self::REST), 413, 'too_large');
        $this->assertError($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['boom-added-rest']], null, ['headers' => self::REST]), 503, 'unavailable');
        $this->assertTags(['R'], $email);
    }

    public function testCrmThroughTheRestServer(): void
    {
        $email = $this->email('restcrm');
        $this->assertOk($this->crm('tags.add', json_encode(['email' => $email, 'tags' => ['J1', 'J2']]), ['tags' => 'Q', 'create' => '1'], 'application/json', self::REST));
        $this->assertTags(['Q'], $email);
        $this->assertOk($this->crm('tags.set', json_encode(['email' => $email, 'tags' => ['J1', 'J2']]), [], 'application/json', self::REST));
        $this->assertTags(['J1', 'J2'], $email);
        $this->assertError($this->crm('tags.add', ['email' => $email], ['key' => 'nope'], 'application/x-www-form-urlencoded', self::REST), 401, 'no_matching_signature');
        $this->assertError($this->crm('batch', ['email' => $email], [], 'application/x-www-form-urlencoded', self::REST), 400, 'invalid_command');
        $this->assertError($this->crm('tags.add', '{"email": ', ['tags' => 'A'], 'application/json', self::REST), 400, 'invalid_command');
        $this->assertOk(Http::get($this->crmUrl('tags.add'), self::REST));
    }
}
