<?php
/**
 * The commands of SPEC §5 on real users, through the signed webhook:
 * lookup (CRM id, then e-mail), creation, tags, 400/404, de-duplication.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class WebhookCommandsTest extends TestCase
{
    public function testTagsAddCreatesASubscriberOnlyWhenAsked(): void
    {
        $email = $this->email('new');
        $this->assertError($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['A']]), 404, 'unknown_contact');
        $this->assertNull(Db::userId($email));

        $crm = random_int(100000, PHP_INT_MAX);
        $result = $this->assertOk($this->send([
            'command' => 'tags.add',
            'contact' => ['email' => "  $email ", 'crm_id' => $crm, 'first_name' => 'Ana', 'last_name' => 'Lee'],
            'tags' => ['Course A', 'VIP', 'vip'],
            'create' => true,
        ]));
        $this->assertTrue($result['created']);
        $this->assertSame(['Course A', 'VIP'], $result['added']);
        $this->assertSame(['subscriber'], Db::roles($email));
        $this->assertSame((string) $crm, Db::userMeta($email, 'taggate_crm_id'));
        $this->assertSame('Ana', Db::userMeta($email, 'first_name'));
        $this->assertSame((int) Db::userId($email), $result['user_id']);
        $this->assertTags(['Course A', 'VIP'], $email);
        foreach (Db::tags($email) as $at) {
            $this->assertEqualsWithDelta(time(), $at, 60);
        }
    }

    public function testSameTagByKeyKeepsFirstSpellingAndTime(): void
    {
        $email = $this->subscriber(['Course  A', 'Café']);
        $before = Db::tags($email);
        sleep(1);
        $result = $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => [' course a ', 'CAFÉ', 'New']]));
        $this->assertSame(['New'], $result['added']);
        $after = Db::tags($email);
        $this->assertSame($before['Course  A'], $after['Course  A']);
        $this->assertSame($before['Café'], $after['Café']);
        $this->assertTags(['Course  A', 'Café', 'New'], $email);

        $result = $this->assertOk($this->send(['command' => 'tags.remove', 'contact' => ['email' => $email], 'tags' => ['COURSE A', 'café', 'not held']]));
        $this->assertSame(['Course  A', 'Café'], $result['removed']);
        $this->assertTags(['New'], $email);
    }

    public function testTagsSetAndAccessRevoke(): void
    {
        $email = $this->subscriber(['a', 'b', 'c']);
        $result = $this->assertOk($this->send(['command' => 'tags.set', 'contact' => ['email' => $email], 'tags' => ['B', 'd']]));
        $this->assertSame(['d'], $result['added']);
        $this->assertEqualsCanonicalizing(['a', 'c'], $result['removed']);
        $this->assertTags(['b', 'd'], $email);

        $result = $this->assertOk($this->send(['command' => 'access.revoke', 'contact' => ['email' => $email]]));
        $this->assertEqualsCanonicalizing(['b', 'd'], $result['removed']);
        $this->assertSame([], Db::tags($email));
        $this->assertError($this->send(['command' => 'access.revoke', 'contact' => ['email' => $this->email()]]), 404, 'unknown_contact');
    }

    public function testContactUpsertCreatesUpdatesAndSetsTagsOnlyWhenGiven(): void
    {
        $email = $this->email('upsert');
        $result = $this->assertOk($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $email, 'first_name' => 'Bo', 'last_name' => 'Ek']]));
        $this->assertTrue($result['created']);
        $this->assertSame(['subscriber'], Db::roles($email));
        $this->assertSame([], Db::tags($email));

        $result = $this->assertOk($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $email, 'first_name' => 'Bob'], 'tags' => ['x', 'y']]));
        $this->assertFalse($result['created']);
        $this->assertSame(['first_name'], $result['updated']);
        $this->assertSame('Bob', Db::userMeta($email, 'first_name'));
        $this->assertSame('Ek', Db::userMeta($email, 'last_name'));
        $this->assertTags(['x', 'y'], $email);

        // Without "tags" the tags stay; with "tags": [] they are cleared.
        $this->assertOk($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $email, 'last_name' => 'Eklund']]));
        $this->assertTags(['x', 'y'], $email);
        $this->assertOk($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $email], 'tags' => []]));
        $this->assertTags([], $email);
    }

    public function testLookupIsByCrmIdFirstThenEmail(): void
    {
        $crm = 'crm-' . bin2hex(random_bytes(4));
        $email = $this->subscriber(['one'], null, ['crm_id' => $crm]);
        $this->assertSame($crm, Db::userMeta($email, 'taggate_crm_id'));

        // Same CRM id, new e-mail: the same user, whose e-mail contact.upsert changes.
        $newEmail = $this->email('moved');
        $result = $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $newEmail, 'crm_id' => $crm], 'tags' => ['two']]));
        $this->assertFalse($result['created']);
        $this->assertNull(Db::userId($newEmail), 'tags.* never changes the e-mail');
        $this->assertTags(['one', 'two'], $email);

        $result = $this->assertOk($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $newEmail, 'crm_id' => $crm]]));
        $this->assertSame(['user_email'], $result['updated']);
        $this->assertNull(Db::userId($email));
        $this->assertTags(['one', 'two'], $newEmail);

        // Found by e-mail with a CRM id it lacked: the id gets linked.
        $plain = $this->subscriber(['p']);
        $this->assertOk($this->send(['command' => 'tags.add', 'contact' => ['email' => $plain, 'crm_id' => 77001 + random_int(1, 100000)], 'tags' => ['q']]));
        $this->assertNotNull(Db::userMeta($plain, 'taggate_crm_id'));
    }

    public function testEmailChangeToAnotherUsersEmailIsRefused(): void
    {
        $crm = 'crm-' . bin2hex(random_bytes(4));
        $a = $this->subscriber([], null, ['crm_id' => $crm]);
        $b = $this->subscriber();
        $this->assertError($this->send(['command' => 'contact.upsert', 'contact' => ['email' => $b, 'crm_id' => $crm]]), 400, 'invalid_command');
        $this->assertNotNull(Db::userId($a));
    }

    public function testInvalidCommandsName400WithAPointer(): void
    {
        $cases = [
            ['command' => 'tags.add', 'contact' => ['email' => 'no-at-sign'], 'tags' => ['a']],
            ['command' => 'tags.add', 'contact' => ['email' => 'a@example.test'], 'tags' => ['ok', 3]],
            ['command' => 'tags.add', 'contact' => ['email' => 'a@example.test'], 'tags' => ["bad\x01tag"]],
            ['command' => 'tags.add', 'contact' => ['email' => 'a@example.test']],
            ['command' => 'nope'],
            ['contact' => ['email' => 'a@example.test']],
            ['command' => 'tags.add', 'contact' => ['email' => 'a@example.test'], 'tags' => ['a'], 'create' => 'yes'],
            ['command' => 'batch', 'items' => []],
            [1, 2, 3],
        ];
        foreach ($cases as $i => $cmd) {
            $error = $this->assertError($this->send($cmd), 400, 'invalid_command');
            $this->assertMatchesRegularExpression('#^/#', $error['message'], "case $i names a JSON pointer");
        }
    }

    public function testPasswordResetSendsWordPressOwnEmail(): void
    {
        $email = $this->subscriber();
        $mailDir = Stack::get('TAGGATE_MAIL_DIR');
        $before = glob($mailDir . '/*.json');
        $result = $this->assertOk($this->send(['command' => 'password.reset', 'contact' => ['email' => $email]]));
        $this->assertTrue($result['sent']);
        $new = array_values(array_diff(glob($mailDir . '/*.json'), $before));
        $this->assertCount(1, $new);
        $mail = json_decode((string) file_get_contents($new[0]), true);
        $this->assertSame([$email], $mail['to']);
        $this->assertStringContainsString('action=rp', $mail['message'], 'WordPress reset link');
        $this->assertError($this->send(['command' => 'password.reset', 'contact' => ['email' => $this->email()]]), 404, 'unknown_contact');
    }

    public function testReplayOfADeliveryIdAfterALaterChangeIsADuplicateThatChangesNothing(): void
    {
        $email = $this->subscriber();
        $id = Signer::newId();
        $add = ['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['Replay']];
        $this->assertOk($this->send($add, $id));
        $this->assertTags(['Replay'], $email);
        $this->assertOk($this->send(['command' => 'tags.remove', 'contact' => ['email' => $email], 'tags' => ['Replay']]));
        $this->assertTags([], $email);

        // Same id, freshly signed (a sender's retry), and the same id with another body.
        $dup = $this->assertDuplicate($this->send($add, $id));
        $this->assertSame(200, $dup['status']);
        $this->assertTags([], $email, 'a duplicate changes nothing');
        $this->assertDuplicate($this->send(['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['Other']], $id));
        $this->assertTags([], $email);

        $rows = Db::rows('SELECT outcome, status FROM ' . Db::prefix() . 'taggate_deliveries WHERE delivery_id = ? ORDER BY id', [$id]);
        $this->assertSame(['applied', 'duplicate', 'duplicate'], array_column($rows, 'outcome'));
    }

    public function testA4xxIsRememberedButA5xxIsNotSoTheRetryWorks(): void
    {
        $email = $this->subscriber();
        $id = Signer::newId();
        $cmd = ['command' => 'tags.add', 'contact' => ['email' => $email], 'tags' => ['flaky-' . bin2hex(random_bytes(4))]];
        $this->assertError($this->send($cmd, $id), 503, 'unavailable');
        $this->assertTags([], $email);
        $this->assertOk($this->send($cmd, $id), 'the retry of a 5xx is applied');
        $this->assertTags([$cmd['tags'][0]], $email);
        $this->assertDuplicate($this->send($cmd, $id));

        $id404 = Signer::newId();
        $unknown = ['command' => 'tags.add', 'contact' => ['email' => $this->email()], 'tags' => ['x']];
        $this->assertError($this->send($unknown, $id404), 404, 'unknown_contact');
        $dup = $this->assertDuplicate($this->send($unknown, $id404));
        $this->assertSame(404, $dup['status'], 'the duplicate reports the first answer');
    }

    public function testLogHoldsHashAndSizeNotTheBody(): void
    {
        $email = $this->email('private');
        $id = Signer::newId();
        $body = self::json(['command' => 'tags.add', 'contact' => ['email' => $email, 'first_name' => 'Secretive'], 'tags' => ['t'], 'create' => true]);
        $this->assertOk($this->sendRaw($body, Signer::headers($body, $id)));
        $row = Db::rows('SELECT * FROM ' . Db::prefix() . 'taggate_deliveries WHERE delivery_id = ?', [$id])[0];
        $this->assertSame(hash('sha256', $body), $row['body_sha256']);
        $this->assertSame(strlen($body), (int) $row['body_size']);
        $this->assertSame('tags.add', $row['command']);
        $this->assertSame($email, $row['contact']);
        $this->assertSame('applied', $row['outcome']);
        $this->assertSame(200, (int) $row['status']);
        $this->assertSame('standard', $row['scheme']);
        $this->assertStringNotContainsString('Secretive', json_encode($row, JSON_INVALID_UTF8_SUBSTITUTE));
        $this->assertStringNotContainsString(Stack::get('TAGGATE_WEBHOOK_SECRET'), json_encode(Db::deliveries(50), JSON_INVALID_UTF8_SUBSTITUTE));
    }

    public function testCronPrunesOldDeliveriesButKeepsIdsAtLeastSevenDays(): void
    {
        $this->setSettings(['log_retention_days' => 1]); // Clamped to 7.
        $t = Db::prefix() . 'taggate_deliveries';
        $old = 'old-' . bin2hex(random_bytes(4));
        $recent = 'recent-' . bin2hex(random_bytes(4));
        Db::exec("INSERT INTO $t (delivery_key, delivery_id, received_at, source, outcome, status) VALUES (UNHEX(SHA2(?, 256)), ?, ?, 'webhook', 'applied', 200)", [$old, $old, time() - 8 * 86400]);
        Db::exec("INSERT INTO $t (delivery_key, delivery_id, received_at, source, outcome, status) VALUES (UNHEX(SHA2(?, 256)), ?, ?, 'webhook', 'applied', 200)", [$recent, $recent, time() - 6 * 86400]);
        Wp::run('cron');
        $this->assertSame(0, (int) Db::value("SELECT COUNT(*) FROM $t WHERE delivery_id = ?", [$old]));
        $this->assertSame(1, (int) Db::value("SELECT COUNT(*) FROM $t WHERE delivery_id = ?", [$recent]));
        // The 6-day-old id is still a duplicate.
        $this->assertDuplicate($this->send(['command' => 'ping'], $recent));
        $this->assertOk($this->send(['command' => 'ping'], $old), 'a pruned id is new again');
    }
}
