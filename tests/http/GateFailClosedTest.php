<?php
/**
 * Fail closed (SPEC §6): the same site served by the PHP-FPM pool that does
 * not load the extension (port 8081). Protected text stays hidden on every
 * surface, even from a user who would pass; pages still answer normally;
 * the webhook answers 503 unavailable; the administrator is told why.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateFailClosedTest extends \PHPUnit\Framework\TestCase
{
    private GateFixture $f;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
        $probe = Http::get(Stack::urlNoExt('/wp-json/'));
        if ($probe->status !== 200) {
            $this->fail('the pool without the extension does not answer: HTTP ' . $probe->status);
        }
    }

    public function personas(): array
    {
        $all = array_merge(GateFixture::DENIED, ['vip']);
        return array_combine($all, array_map(fn ($p) => [$p], $all));
    }

    /** @dataProvider personas */
    public function testNothingProtectedShowsWithoutTheExtension(string $persona): void
    {
        $c = $this->f->client($persona)->on(Stack::urlNoExt());
        $this->assertSame([], $this->f->leaks($c), "the marker leaked to $persona without the extension");
    }

    public function testPagesStillAnswerNormally(): void
    {
        $c = $this->f->client('vip')->on(Stack::urlNoExt());
        foreach (['protected', 'page', 'shortcode', 'block'] as $key) {
            $r = $c->fetch($this->f->path($key));
            $this->assertSame(200, $r->status, $key);
            $this->assertStringContainsString('</html>', $r->body, "$key: a whole page");
        }
        $r = $c->fetch($this->f->path('protected'));
        $this->assertStringContainsString('taggate-locked', $r->body);
        $this->assertSame(200, $c->fetch('/')->status);
        $this->assertSame(200, $c->fetch('/?feed=rss2')->status);
        $rest = $c->get('/wp-json/wp/v2/posts/' . $this->f->id('protected'), ['X-WP-Nonce' => $c->nonce()]);
        $this->assertSame(200, $rest->status);
        $this->assertTrue($rest->json()['taggate_locked']);

        // The otherwise parts show instead of the protected ones.
        $s = $this->f->s;
        $this->assertStringContainsString("$s-sc-else", $c->fetch($this->f->path('shortcode'))->body);
        $this->assertStringContainsString("$s-block-else", $c->fetch($this->f->path('block'))->body);

        // And the same user passes on the pool with the extension.
        $this->assertStringContainsString($this->f->m, $this->f->client('vip')->fetch($this->f->path('protected'))->body);
    }

    public function testTheWebhookAnswers503(): void
    {
        $body = json_encode(['command' => 'ping']);
        $headers = Signer::headers($body, Signer::newId()) + ['Content-Type' => 'application/json'];
        $r = Http::post(Stack::urlNoExt(TestCase::WEBHOOK), $body, $headers);
        $this->assertSame(503, $r->status, $r->body);
        $this->assertSame('unavailable', $r->json()['error']['code']);
    }

    public function testTheAdministratorIsToldWhy(): void
    {
        $admin = $this->f->admin()->on(Stack::urlNoExt());
        $dash = $admin->get('/wp-admin/');
        $this->assertSame(200, $dash->status);
        $this->assertStringContainsString('taggate-notice-extension', $dash->body);
        $this->assertStringContainsString('extension is not loaded', $dash->body);
        $settings = $admin->get('/wp-admin/options-general.php?page=taggate');
        $this->assertStringContainsString('TagGate is failing closed', $settings->body);
        $health = $admin->get('/wp-admin/site-health.php');
        $this->assertStringContainsString('The taggate PHP extension is not loaded', $health->body);

        // The validation route says why it cannot check a rule.
        $r = $admin->rest('POST', '/taggate/v1/rule/validate', ['rule' => 'vip']);
        $this->assertSame(503, $r->status, $r->body);
        $this->assertSame('unavailable', $r->json()['error']['code']);

        // With the extension: no such notice.
        $this->assertStringNotContainsString('taggate-notice-extension', $this->f->admin()->get('/wp-admin/')->body);
    }
}
