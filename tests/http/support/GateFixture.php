<?php
/**
 * The content and the people the gating tests look at, made once per test
 * run over HTTP (REST as the administrator; tags through signed webhooks)
 * and removed again at the end of the run.
 *
 * Every protected text carries the run's marker ($m). Personas:
 *
 *   visitor       not logged in
 *   none          subscriber without tags
 *   other         subscriber with the tag "other" (lacks the one required)
 *   refunded      subscriber with "VIP" and "refunded" (holds it, plus an excluded one)
 *   vip           subscriber with "vip": passes `vip and not refunded`
 *   admin         administrator (taggate_bypass)
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateFixture
{
    public const RULE = 'vip and not refunded';
    public const DENIED = ['visitor', 'none', 'other', 'refunded'];
    public const PASSING = ['vip', 'admin'];

    private static ?self $instance = null;

    /** The marker in every protected text of this run. */
    public string $m;
    /** A word unique to this run (titles, public texts). */
    public string $s;
    /** @var array<string,array{id:int,link:string,path:string}> */
    public array $posts = [];
    public int $commentId = 0;
    /** @var array<string,array{email:string,login:string,password:string,id:int}> */
    public array $users = [];
    public int $adminId = 0;
    /** @var array<string,GateClient> */
    private array $clients = [];

    public static function get(): self
    {
        if (self::$instance === null) {
            self::$instance = new self();
            self::$instance->build();
            register_shutdown_function([self::$instance, 'cleanUp']);
        }
        return self::$instance;
    }

    private function __construct()
    {
        $this->s = 'tg' . bin2hex(random_bytes(4));
        $this->m = 'TGSECRET' . strtoupper(bin2hex(random_bytes(5)));
    }

    public function admin(): GateClient
    {
        return $this->clients['admin'] ??= GateClient::login(Stack::get('TAGGATE_ADMIN_USER'), Stack::get('TAGGATE_ADMIN_PASSWORD'));
    }

    /** A session of a persona (see the class comment). */
    public function client(string $persona): GateClient
    {
        if ($persona === 'admin') {
            return $this->admin();
        }
        if ($persona === 'visitor') {
            return GateClient::visitor();
        }
        $u = $this->users[$persona];
        return $this->clients[$persona] ??= GateClient::login($u['login'], $u['password']);
    }

    private function build(): void
    {
        $admin = $this->admin();
        $me = $admin->rest('GET', '/wp/v2/users/me?context=edit');
        $this->adminId = (int) ($me->json()['id'] ?? 0);

        $tags = [
            'none' => [],
            'other' => ['other'],
            'refunded' => ['VIP', 'refunded'],
            'vip' => ['vip'],
        ];
        foreach ($tags as $persona => $list) {
            $login = "{$persona}_{$this->s}";
            $email = "{$persona}-{$this->s}@example.test";
            $password = 'pw-' . bin2hex(random_bytes(8));
            $r = $admin->rest('POST', '/wp/v2/users', [
                'username' => $login,
                'email' => $email,
                'password' => $password,
                'roles' => ['subscriber'],
            ]);
            if ($r->status !== 201) {
                throw new \RuntimeException("creating user $login failed: HTTP {$r->status} " . substr($r->body, 0, 300));
            }
            $this->users[$persona] = ['email' => $email, 'login' => $login, 'password' => $password, 'id' => (int) $r->json()['id']];
            $this->setTags($persona, $list);
        }

        $m = $this->m;
        $s = $this->s;
        $rule = self::RULE;

        // Partial gating, in public posts.
        $this->post('shortcode', 'posts', [
            'title' => "Shortcode $s",
            'content' => "<!-- wp:paragraph --><p>Public intro $s.</p><!-- /wp:paragraph -->\n"
                . "<!-- wp:shortcode -->[taggate rule=\"$rule\"]{$m}-sc-yes[else]{$s}-sc-else[/taggate]<!-- /wp:shortcode -->\n"
                . "<!-- wp:shortcode -->[taggate rule=\"vip\"]{$s}-outer-a [taggate rule=\"gold\"]{$m}-inner-b[else]{$s}-inner-else[/taggate] {$s}-outer-c[else]{$s}-outer-else[/taggate]<!-- /wp:shortcode -->\n"
                . "<!-- wp:paragraph --><p>[taggate rule=\"vip &amp;&amp; !refunded\"]{$m}-sc-amp[/taggate] [taggate rule=\"vip and (\"]{$m}-sc-invalid[else]{$s}-sc-invalid-else[/taggate] [taggate rule=\"$rule\"]{$m}-sc-unclosed</p><!-- /wp:paragraph -->",
            'status' => 'publish',
        ]);
        $this->post('block', 'posts', [
            'title' => "Block $s",
            'content' => "<!-- wp:paragraph --><p>Public intro $s.</p><!-- /wp:paragraph -->\n"
                . '<!-- wp:taggate/gate {"rule":"' . $rule . '","className":"gate-cls-' . $s . '"} -->' . "\n"
                . "<!-- wp:paragraph --><p>{$m}-block-yes</p><!-- /wp:paragraph -->\n"
                . "<!-- wp:taggate/otherwise -->\n<!-- wp:paragraph --><p>{$s}-block-else</p><!-- /wp:paragraph -->\n<!-- /wp:taggate/otherwise -->\n"
                . '<!-- /wp:taggate/gate -->',
            'status' => 'publish',
        ]);

        // Whole posts.
        $this->post('page', 'pages', [
            'title' => "Gated page $s",
            'content' => "<!-- wp:paragraph --><p>{$m}-page</p><!-- /wp:paragraph -->",
            'status' => 'publish',
            'taggate_rule' => $rule,
        ]);
        $this->post('protected', 'posts', [
            'title' => "Gated $s alpha",
            'content' => "<!-- wp:paragraph --><p>{$m}-content lead.</p><!-- /wp:paragraph -->\n<!-- wp:more --><!--more--><!-- /wp:more -->\n<!-- wp:paragraph --><p>{$m}-more rest.</p><!-- /wp:paragraph -->",
            'excerpt' => "{$m}-excerpt",
            'status' => 'publish',
            'taggate_rule' => $rule,
        ]);
        // A page that prints posts' raw content (core/latest-posts, full post): the post objects must be redacted.
        $this->post('latest', 'pages', [
            'title' => "Latest $s",
            'content' => '<!-- wp:latest-posts {"postsToShow":10,"displayPostContent":true,"displayPostContentRadio":"full_post"} /-->'
                . "\n" . '<!-- wp:latest-posts {"postsToShow":10,"displayPostContent":true,"displayPostContentRadio":"excerpt"} /-->',
            'status' => 'publish',
        ]);

        $r = $admin->rest('POST', '/wp/v2/comments', ['post' => $this->posts['protected']['id'], 'content' => "{$m}-comment"]);
        if ($r->status !== 201) {
            throw new \RuntimeException('creating the comment failed: ' . substr($r->body, 0, 300));
        }
        $this->commentId = (int) $r->json()['id'];
    }

    /** Creates a post through REST as the administrator. */
    private function post(string $key, string $type, array $data): void
    {
        $r = $this->admin()->rest('POST', "/wp/v2/$type", $data + ['comment_status' => 'open']);
        if ($r->status !== 201) {
            throw new \RuntimeException("creating $key failed: HTTP {$r->status} " . substr($r->body, 0, 300));
        }
        $json = $r->json();
        $parts = parse_url($json['link']);
        $this->posts[$key] = [
            'id' => (int) $json['id'],
            'type' => $type,
            'link' => $json['link'],
            'path' => ($parts['path'] ?? '/') . (isset($parts['query']) ? '?' . $parts['query'] : ''),
        ];
    }

    /** Sets a persona's tags with a signed tags.set delivery. */
    public function setTags(string $persona, array $tags): void
    {
        $body = json_encode([
            'command' => 'tags.set',
            'contact' => ['email' => $this->users[$persona]['email']],
            'tags' => array_values($tags),
        ], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
        $headers = Signer::headers($body, Signer::newId('msg_gate_'));
        $headers['Content-Type'] = 'application/json';
        $r = Http::post(Stack::url(TestCase::WEBHOOK), $body, $headers);
        if ($r->status !== 200) {
            throw new \RuntimeException("tags.set for $persona failed: HTTP {$r->status} " . substr($r->body, 0, 300));
        }
    }

    public function path(string $key): string
    {
        return $this->posts[$key]['path'];
    }

    public function id(string $key): int
    {
        return $this->posts[$key]['id'];
    }

    /**
     * Every surface of SPEC §6 "Gating" where the protected post, page or
     * comment could show: label => path (below the site's base URL).
     *
     * @return array<string,string>
     */
    public function surfaces(): array
    {
        $id = $this->id('protected');
        $pid = $this->id('page');
        $link = urlencode($this->posts['protected']['link']);
        $title = urlencode("Gated {$this->s}");
        $m = urlencode($this->m);
        $ym = gmdate('Ym');
        return [
            'single post' => $this->path('protected'),
            'single post ?p=' => "/?p=$id",
            'single post page 2 of comments' => "/?p=$id&cpage=2",
            'page' => $this->path('page'),
            'home' => '/',
            'home ?paged' => '/?posts_per_page=50',
            'category archive' => '/?cat=1',
            'author archive' => "/?author={$this->adminId}",
            'date archive' => "/?m=$ym",
            'search by title' => "/?s=$title",
            'latest-posts block page' => $this->path('latest'),
            'embed page' => $this->path('protected') . 'embed/',
            'embed page ?embed' => "/?p=$id&embed=true",
            'page embed' => $this->path('page') . 'embed/',
            'rss2 feed' => '/?feed=rss2',
            'atom feed' => '/?feed=atom',
            'rdf feed' => '/?feed=rdf',
            'rss feed' => '/?feed=rss',
            'comments rss2 feed' => '/?feed=comments-rss2',
            'comments atom feed' => '/?feed=comments-atom',
            'post comments feed' => "/?p=$id&feed=rss2",
            'post comments feed (pretty)' => $this->path('protected') . 'feed/',
            'post comments atom feed' => "/?p=$id&feed=atom",
            'search feed' => "/?s=$title&feed=rss2",
            'category feed' => '/?cat=1&feed=atom',
            'page comments feed' => "/?page_id=$pid&feed=rss2",
            'REST post' => "/wp-json/wp/v2/posts/$id",
            'REST post _embed' => "/wp-json/wp/v2/posts/$id?_embed=1",
            'REST post context=embed' => "/wp-json/wp/v2/posts/$id?context=embed",
            'REST posts' => '/wp-json/wp/v2/posts?per_page=50',
            'REST posts _fields' => '/wp-json/wp/v2/posts?per_page=50&_fields=id,content,excerpt,meta',
            'REST posts search marker' => "/wp-json/wp/v2/posts?search=$m",
            'REST posts search title' => "/wp-json/wp/v2/posts?search=$title",
            'REST page' => "/wp-json/wp/v2/pages/$pid",
            'REST pages' => '/wp-json/wp/v2/pages?per_page=50',
            'REST search marker' => "/wp-json/wp/v2/search?search=$m&_embed=1",
            'REST search title' => "/wp-json/wp/v2/search?search=$title&_embed=1",
            'REST comments of post' => "/wp-json/wp/v2/comments?post=$id",
            'REST comments' => '/wp-json/wp/v2/comments?per_page=100',
            'REST comments search' => "/wp-json/wp/v2/comments?search=$m",
            'REST comment' => "/wp-json/wp/v2/comments/{$this->commentId}",
            'REST ?rest_route post' => "/?rest_route=/wp/v2/posts/$id",
            'oEmbed json' => "/wp-json/oembed/1.0/embed?url=$link",
            'oEmbed xml' => "/wp-json/oembed/1.0/embed?url=$link&format=xml",
        ];
    }

    /**
     * Fetches every surface as the session and returns the labels whose
     * answer holds the marker (with the HTTP status).
     *
     * @return string[]
     */
    public function leaks(GateClient $client, ?array $surfaces = null): array
    {
        $found = [];
        foreach ($surfaces ?? $this->surfaces() as $label => $path) {
            $r = str_starts_with($path, '/wp-json') || str_starts_with($path, '/?rest_route')
                ? $client->fetch($path, $client->loggedIn() ? ['X-WP-Nonce' => $client->nonce()] : [])
                : $client->fetch($path);
            if (str_contains($r->body, $this->m)) {
                $pos = strpos($r->body, $this->m);
                $found[] = "$label ($path, HTTP {$r->status}): …" . substr($r->body, max(0, $pos - 80), 160) . '…';
            }
            if ($r->status >= 500) {
                $found[] = "$label ($path): HTTP {$r->status}";
            }
        }
        return $found;
    }

    public function cleanUp(): void
    {
        if (getenv('TAGGATE_KEEP_FIXTURES')) {
            return;
        }
        try {
            $admin = $this->admin();
            foreach ($this->posts as $post) {
                $admin->rest('DELETE', "/wp/v2/{$post['type']}/{$post['id']}?force=true");
            }
            foreach ($this->users as $u) {
                $admin->rest('DELETE', "/wp/v2/users/{$u['id']}?force=true&reassign={$this->adminId}");
            }
        } catch (\Throwable $e) {
            fwrite(STDERR, 'gate fixture clean-up: ' . $e->getMessage() . "\n");
        }
    }
}
