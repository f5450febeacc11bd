<?php
/**
 * The `taggate_user_can_access` filter (docs/plugin-part2.md): what it
 * returns decides, on every surface, for posts that carry a rule — it can
 * open a post to users who do not pass, and close one to users who do
 * (administrators included). The filter is added by the test mu-plugin only
 * for requests carrying `X-TagGate-Test-Access-Filter: 1`.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateAccessFilterTest extends \PHPUnit\Framework\TestCase
{
    private const HEADER = ['X-TagGate-Test-Access-Filter' => '1'];

    private GateFixture $f;
    /** @var array<string,int> */
    private static array $ids = [];
    private static string $marker = '';

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
        if (self::$ids) {
            return;
        }
        self::$marker = $this->f->m . 'ACCESSFILTER';
        $admin = $this->f->admin();
        foreach (['open', 'close'] as $which) {
            $r = $admin->rest('POST', '/wp/v2/posts', [
                'title' => "taggate-filter-$which-{$this->f->s}",
                'content' => '<!-- wp:paragraph --><p>' . self::$marker . "-$which</p><!-- /wp:paragraph -->",
                'status' => 'publish',
                'taggate_rule' => GateFixture::RULE,
            ]);
            $this->assertSame(201, $r->status, $r->body);
            self::$ids[$which] = (int) $r->json()['id'];
        }
    }

    public static function tearDownAfterClass(): void
    {
        $admin = GateFixture::get()->admin();
        foreach (self::$ids as $id) {
            $admin->rest('DELETE', "/wp/v2/posts/$id?force=true");
        }
        self::$ids = [];
    }

    /** @return array<string,string> label => path, for one of the two posts */
    private function surfaces(string $which): array
    {
        $id = self::$ids[$which];
        $title = urlencode("taggate-filter-$which-{$this->f->s}");
        return [
            'single' => "/?p=$id",
            'search' => "/?s=$title",
            'REST post' => "/wp-json/wp/v2/posts/$id",
            'REST list' => "/wp-json/wp/v2/posts?include[]=$id",
        ];
    }

    /** Which surfaces show the post's marker to the persona. */
    private function shown(string $persona, string $which, bool $filtered): array
    {
        $c = $this->f->client($persona);
        $shown = [];
        foreach ($this->surfaces($which) as $label => $path) {
            $headers = $filtered ? self::HEADER : [];
            if (str_starts_with($path, '/wp-json') && $c->loggedIn()) {
                $headers['X-WP-Nonce'] = $c->nonce();
            }
            $r = $c->fetch($path, $headers);
            $this->assertLessThan(500, $r->status, "$persona, $label: HTTP {$r->status}");
            if (str_contains($r->body, self::$marker . "-$which")) {
                $shown[] = $label;
            }
        }
        return $shown;
    }

    /** @return array<string,array{0:string}> */
    public function personas(): array
    {
        return ['visitor' => ['visitor'], 'refunded' => ['refunded'], 'vip' => ['vip'], 'admin' => ['admin']];
    }

    /** @dataProvider personas */
    public function testTheFilterDecides(string $persona): void
    {
        $all = array_keys($this->surfaces('open'));
        $passes = in_array($persona, GateFixture::PASSING, true);
        // Without the filter, the rule decides (so what follows is the filter's doing).
        $this->assertSame($passes ? $all : [], $this->shown($persona, 'open', false), "$persona: open post, no filter");
        $this->assertSame($passes ? $all : [], $this->shown($persona, 'close', false), "$persona: closed post, no filter");
        // With it: opened to everyone, closed to everyone.
        $this->assertSame($all, $this->shown($persona, 'open', true), "$persona: opened by the filter");
        $this->assertSame([], $this->shown($persona, 'close', true), "$persona: closed by the filter");
    }
}
