<?php
/**
 * The tag set gating reads (one per user per request, from a snapshot that
 * every tag change rewrites inside its own transaction): a change shows on
 * the very next request, and a change that rolls back leaves no trace in
 * what gating sees.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateTagSetTest extends TestCase
{
    private GateFixture $f;

    protected function setUp(): void
    {
        $this->f = GateFixture::get();
    }

    private function sees(GateClient $c): bool
    {
        return str_contains($c->fetch($this->f->path('protected'))->body, $this->f->m . '-content');
    }

    private function snapshot(string $email): ?array
    {
        $p = Db::prefix();
        $raw = Db::value("SELECT m.meta_value FROM {$p}usermeta m JOIN {$p}users u ON u.ID = m.user_id WHERE u.user_email = ? AND m.meta_key = 'taggate_tagset'", [$email]);
        return $raw === null ? null : unserialize((string) $raw);
    }

    public function testAChangeShowsOnTheNextRequest(): void
    {
        $persona = 'other';
        $email = $this->f->users[$persona]['email'];
        $c = $this->f->client($persona);
        try {
            $this->assertFalse($this->sees($c));
            $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['VIP']]));
            $this->assertTrue($this->sees($c), 'tags.add opens the post at once');
            $snap = $this->snapshot($email);
            $this->assertSame(1, $snap['v']);
            $keys = array_map('strval', array_keys($snap['tags']));
            sort($keys);
            $this->assertSame(['VIP', 'other'], $keys, 'the snapshot holds the whole set');

            $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['Refunded']]));
            $this->assertFalse($this->sees($c), 'an excluded tag closes it at once');

            $this->assertOk($this->send(['command' => 'tags.remove', 'contact' => ['email' => $email], 'tags' => ['refunded']]));
            $this->assertTrue($this->sees($c));

            $this->assertOk($this->send(['command' => 'access.revoke', 'contact' => ['email' => $email]]));
            $this->assertFalse($this->sees($c), 'access.revoke closes it at once');
            $this->assertSame([], $this->snapshot($email)['tags']);
        } finally {
            $this->f->setTags($persona, ['other']);
        }
    }

    public function testAChangeThatRollsBackLeavesGatingAsItWas(): void
    {
        $mu = Stack::get('TAGGATE_STACK') . '/www/wp-content/mu-plugins/taggate-test-faults.php';
        if (!is_file($mu)) {
            $this->markTestSkipped('needs the test-only fault injector (scripts/stack.sh up --test)');
        }
        $persona = 'none';
        $email = $this->f->users[$persona]['email'];
        $c = $this->f->client($persona);
        try {
            $before = $this->snapshot($email);
            $r = $this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['vip', 'boom-added-' . $this->f->s]]);
            $this->assertGreaterThanOrEqual(500, $r->status, 'the injected failure fails the delivery');
            $this->assertSame($before, $this->snapshot($email), 'the snapshot rolled back with the tags');
            $this->assertTags([], $email);
            $this->assertFalse($this->sees($c), 'nothing was granted');
        } finally {
            $this->f->setTags($persona, []);
        }
    }
}
