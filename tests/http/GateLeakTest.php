<?php
/**
 * SPEC §6 "Gating": for a user who does not pass, the protected text appears
 * in no response — the page, excerpts, home and archives, search, feeds
 * (comment feeds too), the REST API (single, collections, search, comments,
 * _embed), oEmbed and embeds, comments. Checked for a visitor, a subscriber
 * without tags, one with another tag, and one who holds the required tag
 * together with an excluded one (`vip and not refunded`); and the text is
 * there for a user who passes and for an administrator.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateLeakTest extends \PHPUnit\Framework\TestCase
{
    private GateFixture $f;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
    }

    public function personasWhoDoNotPass(): array
    {
        return array_combine(GateFixture::DENIED, array_map(fn ($p) => [$p], GateFixture::DENIED));
    }

    /** @dataProvider personasWhoDoNotPass */
    public function testProtectedTextAppearsNowhere(string $persona): void
    {
        $leaks = $this->f->leaks($this->f->client($persona));
        $this->assertSame([], $leaks, "the marker leaked to $persona");
    }

    /**
     * The surfaces are not vacuous: for a user who passes, the marker is on
     * every one of them but those that never carry content.
     */
    public function testEverySurfaceCarriesTheTextForThoseWhoPass(): void
    {
        $c = $this->f->client('vip');
        $without = ['oEmbed json', 'oEmbed xml', 'page comments feed'];
        $missing = [];
        foreach ($this->f->surfaces() as $label => $path) {
            if (in_array($label, $without, true)) {
                continue;
            }
            $r = str_starts_with($path, '/wp-json') || str_starts_with($path, '/?rest_route') ? $c->fetch($path, ['X-WP-Nonce' => $c->nonce()]) : $c->fetch($path);
            if (!str_contains($r->body, $this->f->m)) {
                $missing[] = "$label ($path, HTTP {$r->status})";
            }
        }
        $this->assertSame([], $missing);
    }

    /** @dataProvider personasWhoDoNotPass */
    public function testTheLockedMessageReplacesTheContent(string $persona): void
    {
        $c = $this->f->client($persona);
        $r = $c->get($this->f->path('protected'));
        $this->assertSame(200, $r->status, 'a protected post still answers normally');
        $this->assertStringContainsString('taggate-locked', $r->body);
        $this->assertStringContainsString('This content is for members only.', $r->body);
        $this->assertStringContainsString("Gated {$this->f->s} alpha", $r->body, 'the title stays (it is the teaser)');
        $login = str_contains($r->body, 'class="taggate-login"');
        $this->assertSame($persona === 'visitor', $login, 'the login link is for visitors only');
        if ($persona === 'visitor') {
            $this->assertMatchesRegularExpression('#wp-login\.php\?redirect_to=[^"]*' . preg_quote(rawurlencode($this->f->path('protected')), '#') . '#', $r->body);
        }
        $this->assertStringNotContainsString('id="respond"', $r->body, 'no comment form');

        $rest = $c->get('/wp-json/wp/v2/posts/' . $this->f->id('protected'), $c->loggedIn() ? ['X-WP-Nonce' => $c->nonce()] : []);
        $this->assertSame(200, $rest->status);
        $post = $rest->json();
        $this->assertStringContainsString('taggate-locked', $post['content']['rendered']);
        $this->assertTrue($post['taggate_locked']);
        $this->assertArrayNotHasKey('taggate_rule', $post, 'the rule is for editors only');
    }

    /** @dataProvider personasWhoDoNotPass */
    public function testSearchDoesNotTellWhichPostHoldsAWord(string $persona): void
    {
        $c = $this->f->client($persona);
        // (Page titles are in the navigation of every page: the post's title tells.)
        $r = $c->fetch('/?s=' . urlencode($this->f->m));
        $this->assertSame(200, $r->status);
        $this->assertStringNotContainsString("Gated {$this->f->s} alpha", $r->body);
        $r = $c->get('/wp-json/wp/v2/search?search=' . urlencode($this->f->m) . '&subtype=any', $c->loggedIn() ? ['X-WP-Nonce' => $c->nonce()] : []);
        $found = array_column($r->json(), 'id');
        $this->assertNotContains($this->f->id('protected'), $found);
        $this->assertNotContains($this->f->id('page'), $found);
    }

    public function personasWhoPass(): array
    {
        return array_combine(GateFixture::PASSING, array_map(fn ($p) => [$p], GateFixture::PASSING));
    }

    /** @dataProvider personasWhoPass */
    public function testTheTextIsThereForThoseWhoPass(string $persona): void
    {
        $c = $this->f->client($persona);
        $m = $this->f->m;
        $nonce = ['X-WP-Nonce' => $c->nonce()];
        $id = $this->f->id('protected');

        $single = $c->fetch($this->f->path('protected'))->body;
        $this->assertStringContainsString("$m-content", $single);
        $this->assertStringContainsString("$m-more", $single);
        $this->assertStringContainsString("$m-comment", $single, 'comments show');
        $this->assertStringContainsString('id="respond"', $single, 'the comment form shows');
        $this->assertStringNotContainsString('taggate-locked', $single);
        $this->assertStringContainsString("$m-page", $c->get($this->f->path('page'))->body);
        $this->assertStringContainsString("$m-excerpt", $c->fetch('/?s=' . urlencode("Gated {$this->f->s}"))->body, 'search shows the excerpt');
        $this->assertStringContainsString("$m-content", $c->fetch('/?feed=rss2')->body, 'feed');
        $this->assertStringContainsString("$m-comment", $c->fetch('/?feed=comments-rss2')->body, 'comment feed');
        $this->assertStringContainsString("$m-excerpt", $c->fetch($this->f->path('protected') . 'embed/')->body, 'embed');

        $post = $c->get("/wp-json/wp/v2/posts/$id", $nonce)->json();
        $this->assertStringContainsString("$m-content", $post['content']['rendered']);
        $this->assertStringContainsString("$m-excerpt", $post['excerpt']['rendered']);
        $this->assertArrayNotHasKey('taggate_locked', $post);
        $comments = $c->get("/wp-json/wp/v2/comments?post=$id", $nonce)->json();
        $this->assertStringContainsString("$m-comment", json_encode($comments));
        $found = $c->get('/wp-json/wp/v2/search?search=' . urlencode($m), $nonce)->json();
        $this->assertContains($id, array_column($found, 'id'), 'search finds it');
    }

    public function testTheRuleFieldIsForEditorsOnly(): void
    {
        $admin = $this->f->admin();
        $id = $this->f->id('protected');
        $edit = $admin->rest('GET', "/wp/v2/posts/$id?context=edit")->json();
        $this->assertSame(GateFixture::RULE, $edit['taggate_rule']);
        $view = $admin->rest('GET', "/wp/v2/posts/$id")->json();
        $this->assertArrayNotHasKey('taggate_rule', $view);
        $sub = $this->f->client('vip');
        $r = $sub->get("/wp-json/wp/v2/posts/$id?context=edit", ['X-WP-Nonce' => $sub->nonce()]);
        $this->assertContains($r->status, [401, 403]);
    }

    public function testARuleThatIsSomehowInvalidDenies(): void
    {
        $admin = $this->f->admin();
        $marker = $this->f->m . '-invalid';
        $r = $admin->rest('POST', '/wp/v2/posts', [
            'title' => "Broken rule {$this->f->s}",
            'content' => "<!-- wp:paragraph --><p>$marker</p><!-- /wp:paragraph -->",
            'status' => 'publish',
            'taggate_rule' => 'vip',
        ]);
        $this->assertSame(201, $r->status);
        $id = (int) $r->json()['id'];
        try {
            // Validation keeps invalid rules out; one written behind its back (a database edit) must still deny.
            $n = Db::exec('UPDATE ' . Db::prefix() . "postmeta SET meta_value = 'vip and (' WHERE post_id = ? AND meta_key = '_taggate_rule'", [$id]);
            $this->assertSame(1, $n);
            $vip = $this->f->client('vip');
            $this->assertStringNotContainsString($marker, $vip->fetch('/?p=' . $id)->body);
            $home = $vip->fetch('/')->body;
            $this->assertStringNotContainsString($marker, $home, 'in a list, decided with the others');
            $this->assertStringContainsString($this->f->m . '-excerpt', $home, 'the other posts of the list are still decided right');
            $this->assertStringNotContainsString($marker, $vip->get("/wp-json/wp/v2/posts/$id", ['X-WP-Nonce' => $vip->nonce()])->body);
        } finally {
            $admin->rest('DELETE', "/wp/v2/posts/$id?force=true");
        }
    }
}
