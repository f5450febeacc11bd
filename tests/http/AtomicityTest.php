<?php
/**
 * Each command, and each item of a batch, applies completely or not at all
 * (the stack's test mu-plugin injects failures mid-command), and batches
 * answer a result per item.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class AtomicityTest extends TestCase
{
    public function testAFailingHookRollsBackTagsSet(): void
    {
        $email = $this->subscriber(['keep-a', 'keep-b']);
        $before = Db::tags($email);
        // tags.set removes keep-a/keep-b (taggate_tags_removed fires), writes the new
        // tags, then taggate_tags_added throws: everything must roll back.
        $id = Signer::newId();
        $this->assertError($this->send(['command' => 'tags.set', 'contact' => ['email' => $email], 'tags' => ['new-1', 'boom-added-1']], $id), 503, 'unavailable');
        $this->assertSame($before, Db::tags($email));
        $this->assertSame(0, (int) Db::value('SELECT COUNT(*) FROM ' . Db::prefix() . 'taggate_deliveries WHERE delivery_key = UNHEX(SHA2(?, 256))', [$id]), 'a 5xx remembers no id');
        $failed = Db::rows('SELECT outcome, status, error_code FROM ' . Db::prefix() . 'taggate_deliveries WHERE delivery_id = ?', [$id]);
        $this->assertSame([['outcome' => 'failed', 'status' => 503, 'error_code' => 'unavailable']], array_map(fn ($r) => ['outcome' => $r['outcome'], 'status' => (int) $r['status'], 'error_code' => $r['error_code']], $failed));
    }

    public function testAFailingResultFilterRollsBackEverythingIncludingANewUserAndNames(): void
    {
        $email = $this->email('rollback');
        $this->assertError($this->send(['command' => 'tags.add', 'contact' => ['email' => $email, 'crm_id' => 'rb-' . bin2hex(random_bytes(4))], 'tags' => ['a', 'boom-result'], 'create' => true]), 503, 'unavailable');
        $this->assertNull(Db::userId($email), 'the user created mid-command is gone');

        $existing = $this->subscriber(['x'], null, ['first_name' => 'Before']);
        $this->assertError($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $existing, 'first_name' => 'After'], 'tags' => ['y', 'boom-result']]), 503, 'unavailable');
        $this->assertSame('Before', Db::userMeta($existing, 'first_name'));
        $this->assertTags(['x'], $existing);
    }

    public function testAFailingUserCreatedHookLeavesNoUser(): void
    {
        $email = 'boom-create@' . bin2hex(random_bytes(4)) . '.example.test';
        $this->assertError($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['a'], 'create' => true]), 503, 'unavailable');
        $this->assertNull(Db::userId($email));
    }

    public function testBatchGivesOneResultPerItemAndIsolatesFailures(): void
    {
        $a = $this->subscriber(['a0']);
        $b = $this->subscriber(['b0']);
        $new = $this->email('batchnew');
        $r = $this->send(['command' => 'batch', 'items' => [
            ['command' => 'ping'],
            ['command' => 'tags.add', 'contact' => ['email' => $a], 'tags' => ['a1']],
            ['command' => 'tags.set', 'contact' => ['email' => $b], 'tags' => ['b1', 'boom-added-2']],   // fails, rolled back alone
            ['command' => 'tags.add', 'contact' => ['email' => 'not-an-email'], 'tags' => ['x']],        // invalid alone
            ['command' => 'tags.add', 'contact' => ['email' => $this->email()], 'tags' => ['x']],        // 404 alone
            ['command' => 'login.link', 'contact' => ['email' => Stack::get('TAGGATE_ADMIN_EMAIL')]],    // 403 alone
            ['command' => 'batch', 'items' => [['command' => 'ping']]],                                 // no nesting
            ['command' => 'tags.add', 'contact' => ['email' => $new], 'tags' => ['n1'], 'create' => true],
            ['command' => 'tags.remove', 'contact' => ['email' => $a], 'tags' => ['a0']],
        ]]);
        $result = $this->assertOk($r);
        $items = $result['items'];
        $this->assertCount(9, $items);
        $this->assertSame([200, 200, 503, 400, 404, 403, 400, 200, 200], array_column($items, 'status'));
        $this->assertSame([true, true, false, false, false, false, false, true, true], array_column($items, 'ok'));
        $this->assertSame('unavailable', $items[2]['error']['code']);
        $this->assertSame('invalid_command', $items[3]['error']['code']);
        $this->assertStringStartsWith('/items/3/', $items[3]['error']['message']);
        $this->assertSame('unknown_contact', $items[4]['error']['code']);
        $this->assertSame('protected_user', $items[5]['error']['code']);
        $this->assertSame('invalid_command', $items[6]['error']['code']);
        $this->assertSame(4, $result['succeeded']);
        $this->assertSame(5, $result['failed']);
        $this->assertTags(['a1'], $a);
        $this->assertTags(['b0'], $b, 'the failed item changed nothing');
        $this->assertTags(['n1'], $new);
    }

    public function testBatchLimits(): void
    {
        $items = array_fill(0, 501, ['command' => 'ping']);
        $this->assertError($this->send(['command' => 'batch', 'items' => $items]), 400, 'invalid_command');
        $this->assertError($this->send(['command' => 'batch', 'items' => []]), 400, 'invalid_command');
        $result = $this->assertOk($this->send(['command' => 'batch', 'items' => array_fill(0, 500, ['command' => 'ping'])]));
        $this->assertSame(500, $result['succeeded']);
    }

    public function testABatchOfManyContactsAppliesEach(): void
    {
        $items = [];
        $emails = [];
        for ($i = 0; $i < 50; $i++) {
            $emails[] = $e = $this->email("bulk$i");
            $items[] = ['command' => 'tags.add', 'contact' => ['email' => $e], 'tags' => ['Bulk', "n$i"], 'create' => true];
        }
        $result = $this->assertOk($this->send(['command' => 'batch', 'items' => $items]));
        $this->assertSame(50, $result['succeeded']);
        foreach ($emails as $i => $e) {
            $this->assertTags(['Bulk', "n$i"], $e);
        }
    }
}
