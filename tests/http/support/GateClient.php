<?php
/**
 * A browser-like HTTP session for the gating tests: a visitor, or a user
 * logged in through /wp-login.php (cookies kept by hand), with the wp_rest
 * nonce (from admin-ajax.php?action=rest-nonce) for REST calls made with
 * cookies. on() gives the same user on another base URL (the pool without
 * the extension, port 8081): the stack's site URL follows the port, and
 * WordPress names its cookies after the site URL, so that is a new login.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateClient
{
    /** @var array<string,string> name => value */
    private array $cookies = [];
    private ?string $nonce = null;
    private ?string $password = null;

    private function __construct(public readonly string $name, public readonly string $base)
    {
    }

    public static function visitor(?string $base = null): self
    {
        return new self('visitor', $base ?? Stack::url());
    }

    public static function login(string $user, string $password, ?string $base = null): self
    {
        $c = new self($user, $base ?? Stack::url());
        $c->password = $password;
        $c->cookies['wordpress_test_cookie'] = 'WP%20Cookie%20check';
        $r = $c->post('/wp-login.php', http_build_query([
            'log' => $user,
            'pwd' => $password,
            'rememberme' => 'forever',
            'testcookie' => '1',
            'redirect_to' => $c->base . '/wp-admin/',
        ]), ['Content-Type' => 'application/x-www-form-urlencoded']);
        $logged = false;
        foreach (array_keys($c->cookies) as $name) {
            if (str_starts_with($name, 'wordpress_logged_in_')) {
                $logged = true;
            }
        }
        if (!$logged || $r->status !== 302) {
            throw new \RuntimeException("login as $user failed (HTTP {$r->status})");
        }
        return $c;
    }

    /** The same user against another base URL (e.g. the pool without the extension). */
    public function on(string $base): self
    {
        if ($base === $this->base) {
            return $this;
        }
        return $this->password === null ? self::visitor($base) : self::login($this->name, $this->password, $base);
    }

    public function loggedIn(): bool
    {
        foreach (array_keys($this->cookies) as $name) {
            if (str_starts_with($name, 'wordpress_logged_in_')) {
                return true;
            }
        }
        return false;
    }

    private function cookieHeader(): array
    {
        if (!$this->cookies) {
            return [];
        }
        $pairs = [];
        foreach ($this->cookies as $k => $v) {
            $pairs[] = "$k=$v";
        }
        return ['Cookie' => implode('; ', $pairs)];
    }

    private function keep(Response $r): Response
    {
        foreach ($r->headerAll('set-cookie') as $line) {
            $first = explode(';', $line, 2)[0];
            if (!str_contains($first, '=')) {
                continue;
            }
            [$k, $v] = explode('=', $first, 2);
            $k = trim($k);
            if ($v === 'deleted' || stripos($line, 'expires=Thu, 01-Jan-1970') !== false || preg_match('/Max-Age=0\b/i', $line)) {
                unset($this->cookies[$k]);
            } else {
                $this->cookies[$k] = $v;
            }
        }
        return $r;
    }

    public function url(string $path): string
    {
        return preg_match('#^https?://#', $path) ? $path : $this->base . $path;
    }

    public function get(string $path, array $headers = []): Response
    {
        return $this->keep(Http::get($this->url($path), $headers + $this->cookieHeader()));
    }

    /** GET, following redirects within this site (at most 5). */
    public function fetch(string $path, array $headers = []): Response
    {
        $url = $this->url($path);
        for ($hop = 0; $hop < 5; $hop++) {
            $r = $this->get($url, $headers);
            $location = $r->header('location');
            if (!in_array($r->status, [301, 302, 303, 307, 308], true) || $location === null) {
                return $r;
            }
            if (str_starts_with($location, '/')) {
                $location = $this->base . $location;
            }
            if (!str_starts_with($location, $this->base . '/')) {
                return $r;
            }
            $url = $location;
        }
        return $r;
    }

    public function post(string $path, string $body, array $headers = []): Response
    {
        return $this->keep(Http::post($this->url($path), $body, $headers + $this->cookieHeader()));
    }

    /** The wp_rest nonce of this session ('' for a visitor). */
    public function nonce(): string
    {
        if (!$this->loggedIn()) {
            return '';
        }
        if ($this->nonce === null) {
            $r = $this->get('/wp-admin/admin-ajax.php?action=rest-nonce');
            if ($r->status !== 200 || !preg_match('/^[0-9a-f]{10}$/', trim($r->body))) {
                throw new \RuntimeException("no REST nonce for {$this->name} (HTTP {$r->status}): " . substr($r->body, 0, 200));
            }
            $this->nonce = trim($r->body);
        }
        return $this->nonce;
    }

    /** A REST call with the session's cookies and nonce; $data is sent as JSON. */
    public function rest(string $method, string $route, ?array $data = null): Response
    {
        $headers = ['Accept' => 'application/json'];
        if ($this->loggedIn()) {
            $headers['X-WP-Nonce'] = $this->nonce();
        }
        $url = $this->url('/wp-json' . $route);
        if ($data !== null) {
            $headers['Content-Type'] = 'application/json';
        }
        $body = $data === null ? null : json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        return $this->keep(Http::request($method, $url, $headers + $this->cookieHeader(), $body));
    }
}
