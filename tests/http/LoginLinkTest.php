<?php
/**
 * login.link: a single-use URL that logs the contact in once, then never
 * again; expires; one winner among concurrent uses.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class LoginLinkTest extends TestCase
{
    private function link(string $email): array
    {
        $result = $this->assertOk($this->send(['command' => 'login.link', 'contact' => ['email' => $email]]));
        $this->assertSame((int) Db::userId($email), $result['user_id']);
        $this->assertStringStartsWith(Stack::url('/wp-login.php?'), $result['url']);
        return $result;
    }

    /** @return string[] cookie pairs "name=value" set by a response */
    private static function cookies(Response $r): array
    {
        $out = [];
        foreach ($r->headerAll('set-cookie') as $line) {
            $pair = explode(';', $line, 2)[0];
            if (!str_ends_with($pair, '=deleted') && strpos($pair, '=') > 0 && substr($pair, strpos($pair, '=') + 1) !== '') {
                $out[] = $pair;
            }
        }
        return $out;
    }

    public function testALinkLogsInOnceAndOnlyOnce(): void
    {
        $email = $this->subscriber(['Course A']);
        $result = $this->link($email);
        $this->assertEqualsWithDelta(time() + 900, $result['expires_at'], 30, 'default lifetime: 15 minutes');
        $token = parse_url($result['url'], PHP_URL_QUERY);
        parse_str((string) $token, $q);
        $this->assertSame(0, (int) Db::value('SELECT COUNT(*) FROM ' . Db::prefix() . 'taggate_login_links WHERE HEX(token_hash) LIKE ?', ['%' . strtoupper(bin2hex($q['token'])) . '%']), 'the token itself is not stored');
        $this->assertSame(1, (int) Db::value('SELECT COUNT(*) FROM ' . Db::prefix() . 'taggate_login_links WHERE token_hash = UNHEX(SHA2(?, 256))', [$q['token']]), 'stored hashed');

        $first = Http::get($result['url']);
        $this->assertSame(302, $first->status, $first->body);
        $cookies = self::cookies($first);
        $this->assertNotEmpty(array_filter($cookies, fn ($c) => str_starts_with($c, 'wordpress_logged_in_')), 'logged-in cookie set');

        $profile = Http::get(Stack::url('/wp-admin/profile.php'), ['Cookie' => implode('; ', $cookies)]);
        $this->assertSame(200, $profile->status);
        $this->assertStringContainsString($email, $profile->body, 'logged in as the contact');

        $second = Http::get($result['url']);
        $this->assertSame(403, $second->status);
        $this->assertEmpty(array_filter(self::cookies($second), fn ($c) => str_starts_with($c, 'wordpress_logged_in_')));
        $this->assertSame(0, (int) Db::value('SELECT COUNT(*) FROM ' . Db::prefix() . 'taggate_login_links WHERE token_hash = UNHEX(SHA2(?, 256))', [$q['token']]));
    }

    public function testConcurrentUsesHaveOneWinner(): void
    {
        $email = $this->subscriber();
        $url = $this->link($email)['url'];
        $responses = Http::multi(array_fill(0, 16, ['method' => 'GET', 'url' => $url]), 16);
        $statuses = array_count_values(array_map(fn (Response $r) => $r->status, $responses));
        $this->assertSame(1, $statuses[302] ?? 0, 'exactly one use logs in');
        $this->assertSame(15, $statuses[403] ?? 0, 'every other use is refused');
    }

    public function testExpiredAndForgedLinksAreRefused(): void
    {
        $email = $this->subscriber();
        $url = $this->link($email)['url'];
        Db::exec('UPDATE ' . Db::prefix() . 'taggate_login_links SET expires_at = ? WHERE user_id = ?', [time() - 1, Db::userId($email)]);
        $this->assertSame(403, Http::get($url)->status);
        $this->assertSame(403, Http::get(Stack::url('/wp-login.php?action=taggate_login&token=' . str_repeat('A', 43)))->status);
        $this->assertSame(403, Http::get(Stack::url('/wp-login.php?action=taggate_login'))->status);
    }

    public function testLifetimeSettingIsCappedAtADay(): void
    {
        $this->setSettings(['login_link_ttl' => 3600]);
        $email = $this->subscriber();
        $this->assertEqualsWithDelta(time() + 3600, $this->link($email)['expires_at'], 30);
        $this->expectException(\RuntimeException::class);
        Wp::settings(['login_link_ttl' => 86401]);
    }

    public function testUnknownContactIs404(): void
    {
        $this->assertError($this->send(['command' => 'login.link', 'contact' => ['email' => $this->email()]]), 404, 'unknown_contact');
    }
}
