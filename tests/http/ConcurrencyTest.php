<?php
/**
 * Racing deliveries: none lost, one user per contact, one application per id.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class ConcurrencyTest extends TestCase
{
    public function test320RacingTagsAddFor32SendersLoseNothing(): void
    {
        $email = $this->subscriber(['start']);
        $requests = [];
        for ($i = 0; $i < 320; $i++) {
            $requests[] = $this->signedRequest(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ["race-$i"]]);
        }
        $responses = Http::multi($requests, 32);
        $bad = array_filter($responses, fn (Response $r) => $r->status !== 200);
        $this->assertSame([], array_map(fn (Response $r) => $r->status . ' ' . $r->body, $bad), 'every delivery answered 200');
        $tags = Db::tags($email);
        $this->assertCount(321, $tags, 'no tag lost');
        for ($i = 0; $i < 320; $i++) {
            $this->assertArrayHasKey("race-$i", $tags);
        }
    }

    public function testRacingMixedAddsAndRemovesForOneUser(): void
    {
        $keep = array_map(fn ($i) => "keep-$i", range(0, 39));
        $drop = array_map(fn ($i) => "drop-$i", range(0, 39));
        $email = $this->subscriber($drop);
        $requests = [];
        foreach ($keep as $i => $tag) {
            $requests[] = $this->signedRequest(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => [$tag]]);
            $requests[] = $this->signedRequest(['command' => 'tags.remove', 'contact' => ['email' => $email], 'tags' => [$drop[$i]]]);
        }
        shuffle($requests);
        foreach (Http::multi($requests, 32) as $r) {
            $this->assertSame(200, $r->status, $r->body);
        }
        $this->assertTags($keep, $email);
    }

    public function testRacingCreationsMakeOneUser(): void
    {
        $email = $this->email('racer');
        $requests = [];
        for ($i = 0; $i < 32; $i++) {
            $requests[] = $this->signedRequest(['command' => 'tags.add', 'contact' => ['email' => $email, 'crm_id' => 'rc-' . $email], 'tags' => ["c$i"], 'create' => true]);
        }
        $responses = Http::multi($requests, 32);
        $created = 0;
        foreach ($responses as $r) {
            $this->assertSame(200, $r->status, $r->body);
            $created += $r->json()['result']['created'] ? 1 : 0;
        }
        $this->assertSame(1, $created, 'exactly one delivery created the user');
        $this->assertSame(1, Db::countUsers($email));
        $this->assertCount(32, Db::tags($email));
    }

    public function testTheSameDeliveryIdRacingIsAppliedOnce(): void
    {
        $email = $this->subscriber();
        $id = Signer::newId();
        $requests = [];
        for ($i = 0; $i < 16; $i++) {
            // Each sender signs its own copy (fresh timestamp), same id, a different tag:
            // only the one that wins may apply.
            $requests[] = $this->signedRequest(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ["slow-once-$i"]], $id);
        }
        $responses = Http::multi($requests, 16);
        $fresh = 0;
        foreach ($responses as $r) {
            $this->assertSame(200, $r->status, $r->body);
            $fresh += $r->json()['duplicate'] ? 0 : 1;
        }
        $this->assertSame(1, $fresh, 'one delivery applied, the others are duplicates');
        $this->assertCount(1, Db::tags($email));
    }
}
