<?php
/**
 * Partial gating (SPEC §6): the [taggate rule="…"]…[else]…[/taggate]
 * shortcode (nesting, an invalid rule, an unclosed tag) and the
 * taggate/gate block with its taggate/otherwise section, both ways, on the
 * page, in the REST API's content.rendered and in the feed.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GatePartialTest extends \PHPUnit\Framework\TestCase
{
    private GateFixture $f;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
    }

    /** What the persona gets for a post: page, REST content.rendered, RSS. */
    private function views(string $persona, string $key): array
    {
        $c = $this->f->client($persona);
        $headers = $c->loggedIn() ? ['X-WP-Nonce' => $c->nonce()] : [];
        $rest = $c->get('/wp-json/wp/v2/posts/' . $this->f->id($key), $headers);
        $this->assertSame(200, $rest->status);
        return [
            'page' => $c->fetch($this->f->path($key))->body,
            'rest' => $rest->json()['content']['rendered'],
            'feed' => $c->fetch('/?feed=rss2')->body,
        ];
    }

    /** @return array<string,array{0:string}> */
    public function personas(): array
    {
        $all = array_merge(GateFixture::DENIED, GateFixture::PASSING);
        return array_combine($all, array_map(fn ($p) => [$p], $all));
    }

    /** @dataProvider personas */
    public function testShortcode(string $persona): void
    {
        $m = $this->f->m;
        $s = $this->f->s;
        $passes = in_array($persona, GateFixture::PASSING, true);
        $vip = $persona !== 'visitor' && in_array($persona, ['vip', 'refunded', 'admin'], true);
        foreach ($this->views($persona, 'shortcode') as $where => $html) {
            $this->assertStringContainsString("Public intro $s", $html, "$where: public text");
            // [taggate rule="vip and not refunded"]…[else]…
            $this->assertSame($passes, str_contains($html, "$m-sc-yes"), "$where: protected part");
            $this->assertSame(!$passes, str_contains($html, "$s-sc-else"), "$where: [else] part");
            // Nested: [taggate rule="vip"] A [taggate rule="gold"] B [else] B' [/taggate] C [else] D [/taggate]
            $this->assertSame($vip, str_contains($html, "$s-outer-a"), "$where: outer, before the inner one");
            $this->assertSame($vip, str_contains($html, "$s-outer-c"), "$where: outer, after the inner one");
            $this->assertSame(!$vip, str_contains($html, "$s-outer-else"), "$where: outer [else]");
            $this->assertSame($persona === 'admin', str_contains($html, "$m-inner-b"), "$where: inner");
            $this->assertSame($vip && $persona !== 'admin', str_contains($html, "$s-inner-else"), "$where: inner [else]");
            // rule="vip &amp;&amp; !refunded" as the block editor stores it.
            $this->assertSame($passes, str_contains($html, "$m-sc-amp"), "$where: encoded rule");
            // An invalid rule denies (bypass aside).
            $this->assertSame($persona === 'admin', str_contains($html, "$m-sc-invalid"), "$where: invalid rule");
            // An unclosed tag protects everything after it.
            $this->assertSame($passes, str_contains($html, "$m-sc-unclosed"), "$where: unclosed tag");
            $this->assertStringNotContainsString('[taggate', $html, "$where: no shortcode left");
            $this->assertStringNotContainsString('[else]', $html, "$where: no [else] left");
        }
    }

    /** @dataProvider personas */
    public function testBlock(string $persona): void
    {
        $m = $this->f->m;
        $s = $this->f->s;
        $passes = in_array($persona, GateFixture::PASSING, true);
        foreach ($this->views($persona, 'block') as $where => $html) {
            $this->assertStringContainsString("Public intro $s", $html, "$where: public text");
            $this->assertSame($passes, str_contains($html, "$m-block-yes"), "$where: protected blocks");
            $this->assertSame(!$passes, str_contains($html, "$s-block-else"), "$where: otherwise section");
            $this->assertStringNotContainsString('"rule"', $html, "$where: the rule is not printed");
            if ($persona === 'admin') {
                // Rendered by the block's render callback (for everyone else
                // the post object's content has the gate resolved into the
                // blocks they may see, so there is no wrapper): the wrapper
                // keeps the editor's extra class (supports.className), both on
                // the page (blocks registered without block.json) and through
                // the REST API (registered from block.json).
                $this->assertMatchesRegularExpression(
                    '/<div class="[^"]*\\btaggate-gate taggate-gate--passed\\b[^"]*\\bgate-cls-' . preg_quote($s, '/') . '\\b/',
                    $html,
                    "$where: wrapper classes"
                );
            }
        }
    }

    public function testTheBlockIsRenderedOnTheServerOnly(): void
    {
        // The raw content (with the rule) is for editors: context=edit needs edit_post.
        $c = $this->f->client('vip');
        $r = $c->get('/wp-json/wp/v2/posts/' . $this->f->id('block') . '?context=edit', ['X-WP-Nonce' => $c->nonce()]);
        $this->assertContains($r->status, [401, 403]);
        // The block type is registered for the editor, with its attributes.
        $admin = $this->f->admin();
        $types = $admin->rest('GET', '/wp/v2/block-types/taggate/gate');
        $this->assertSame(200, $types->status, $types->body);
        $this->assertArrayHasKey('rule', $types->json()['attributes']);
        $this->assertTrue($types->json()['is_dynamic']);
        $this->assertSame(200, $admin->rest('GET', '/wp/v2/block-types/taggate/otherwise')->status);
    }

    /**
     * Page views register both blocks from Block::front_end_types() instead
     * of reading block.json: what they declare there must be what block.json
     * says (the REST API and the editor read block.json).
     */
    public function testFrontEndBlockTypesMatchBlockJson(): void
    {
        $admin = $this->f->admin();
        foreach (['taggate/gate' => 'gate', 'taggate/otherwise' => 'otherwise'] as $name => $dir) {
            $json = json_decode((string) file_get_contents(dirname(__DIR__, 2) . "/wordpress-plugin/blocks/$dir/block.json"), true);
            $this->assertIsArray($json, "$dir/block.json");
            $front = $admin->get('/?taggate_test_block_type=' . rawurlencode($name));
            $this->assertSame(200, $front->status, $front->body);
            $declared = $front->json();
            $this->assertSame($json['apiVersion'], $declared['api_version'], "$name: apiVersion");
            foreach ($json['attributes'] ?? [] as $attr => $def) {
                $this->assertEquals($def, $declared['attributes'][$attr] ?? null, "$name: attribute $attr");
            }
            $this->assertEquals($json['supports'] ?? [], $declared['supports'], "$name: supports");
            $this->assertEquals($json['parent'] ?? null, $declared['parent'], "$name: parent");
            $this->assertTrue($declared['is_dynamic'], "$name: rendered on the server");
            $this->assertFalse($declared['from_metadata'], "$name: a page view does not read block.json");
        }
    }
}
