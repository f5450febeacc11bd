<?php
/**
 * Comments of a protected post: hidden (covered surface by surface in
 * GateLeakTest) and closed to those who may not read the post, through
 * wp-comments-post.php and through the REST API.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateCommentsTest extends \PHPUnit\Framework\TestCase
{
    private GateFixture $f;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
    }

    private function commentCount(): int
    {
        $r = $this->f->admin()->rest('GET', '/wp/v2/comments?post=' . $this->f->id('protected') . '&status=all&context=edit&per_page=100');
        return count($r->json());
    }

    private function form(GateClient $c, string $text): Response
    {
        $fields = ['comment_post_ID' => (string) $this->f->id('protected'), 'comment' => $text, 'comment_parent' => '0'];
        if (!$c->loggedIn()) {
            $fields += ['author' => 'Visitor', 'email' => 'visitor-' . $this->f->s . '@example.test'];
        }
        return $c->post('/wp-comments-post.php', http_build_query($fields), ['Content-Type' => 'application/x-www-form-urlencoded']);
    }

    public function deniedPersonas(): array
    {
        return array_combine(GateFixture::DENIED, array_map(fn ($p) => [$p], GateFixture::DENIED));
    }

    /** @dataProvider deniedPersonas */
    public function testNewCommentsAreRefused(string $persona): void
    {
        $c = $this->f->client($persona);
        $before = $this->commentCount();
        $r = $this->form($c, "refused comment from $persona {$this->f->s}");
        $this->assertSame(403, $r->status, substr($r->body, 0, 300));
        $this->assertSame($before, $this->commentCount(), 'no comment was stored');

        if ($c->loggedIn()) {
            $rest = $c->rest('POST', '/wp/v2/comments', ['post' => $this->f->id('protected'), 'content' => "refused REST comment {$this->f->s}"]);
            $this->assertSame(403, $rest->status, $rest->body);
            // Closed (comments_open is false for them), or refused by TagGate's own check.
            $this->assertContains($rest->json()['code'], ['rest_comment_closed', 'taggate_comment_refused']);
            $this->assertSame($before, $this->commentCount());
        }
    }

    public function testThoseWhoPassMayComment(): void
    {
        $c = $this->f->client('vip');
        $before = $this->commentCount();
        $r = $this->form($c, "welcome comment {$this->f->s}");
        $this->assertSame(302, $r->status, substr($r->body, 0, 300));
        $this->assertSame($before + 1, $this->commentCount());
        // (A second comment by the same user this soon would be a "flood": the administrator posts this one.)
        $rest = $this->f->admin()->rest('POST', '/wp/v2/comments', ['post' => $this->f->id('protected'), 'content' => "welcome REST comment {$this->f->s}"]);
        $this->assertSame(201, $rest->status, $rest->body);
    }
}
