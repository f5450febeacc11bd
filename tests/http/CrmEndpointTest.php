<?php
/**
 * /crm/<command>?key=…: the key, GET checks, and each adapter with payloads
 * shaped as the CRMs send them (shared/crm-payloads.md).
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class CrmEndpointTest extends TestCase
{
    private function adapter(string $name, array $more = []): void
    {
        $this->setSettings(['crm_adapter' => $name] + $more);
    }

    public function testKeyIsRequiredAndComparedExactly(): void
    {
        $body = ['email' => $this->email(), 'tag' => 'A'];
        $this->assertError($this->crm('tags.add', $body, ['key' => null]), 401, 'missing_header');
        $this->assertError($this->crm('tags.add', $body, ['key' => '']), 401, 'missing_header');
        $this->assertError($this->crm('tags.add', $body, ['key' => 'wrong']), 401, 'no_matching_signature');
        $key = Stack::get('TAGGATE_CRM_KEY');
        $this->assertError($this->crm('tags.add', $body, ['key' => substr($key, 0, -1)]), 401, 'no_matching_signature');
        $this->assertError($this->crm('tags.add', $body, ['key' => $key . 'x']), 401, 'no_matching_signature');
        // A key in the body does not count.
        $this->assertError($this->crm('tags.add', $body + ['key' => $key], ['key' => null]), 401, 'missing_header');
        $this->assertError(Http::get($this->crmUrl('tags.add', ['key' => 'wrong'])), 401, 'no_matching_signature');
    }

    public function testGetWithTheKeyAnswers200(): void
    {
        $r = Http::get($this->crmUrl('contact.upsert'), ['User-Agent' => 'MailChimp.com WebHook Validator']);
        $result = $this->assertOk($r);
        $this->assertTrue($result['ready']);
        $this->assertSame('contact.upsert', $result['command']);
        $this->assertSame(200, Http::request('HEAD', $this->crmUrl('tags.add'))->status);
    }

    public function testBatchAndUnknownCommandsAreRefused(): void
    {
        $this->assertError($this->crm('batch', ['email' => $this->email()]), 400, 'invalid_command');
        $this->assertError($this->crm('tags.explode', ['email' => $this->email()]), 400, 'invalid_command');
    }

    public function testNoKeyConfiguredIs503(): void
    {
        $this->setSettings(['crm_key' => '']);
        $this->assertError($this->crm('tags.add', ['email' => $this->email(), 'tag' => 'x']), 503, 'unavailable');
        $this->assertError(Http::get($this->crmUrl('tags.add')), 503, 'unavailable');
    }

    public function testBodyOverTheLimitIs413(): void
    {
        $this->setSettings(['max_body_bytes' => 1000]);
        $this->assertError($this->crm('tags.add', ['email' => $this->email(), 'tag' => 'x', 'pad' => str_repeat('p', 1000)]), 413, 'too_large');
    }

    public function testActiveCampaign(): void
    {
        $this->adapter('activecampaign');
        $email = $this->email('ac');
        $payload = [
            'type' => 'contact_tag_added',
            'date_time' => '2024-02-28T07:04:13-06:00',
            'initiated_from' => 'admin',
            'initiated_by' => 'admin',
            'list' => '0',
            'contact' => ['id' => '3' . random_int(1000, 99999999), 'email' => $email, 'first_name' => 'John', 'last_name' => 'Wick', 'phone' => '', 'ip' => '0.0.0.0', 'tags' => 'tag1, tag2', 'orgname' => ''],
            'tag' => 'tag2',
        ];
        // tags.add uses the event's tag; create=1 makes the user.
        $this->assertError($this->crm('tags.add', $payload), 404, 'unknown_contact');
        $result = $this->assertOk($this->crm('tags.add', $payload, ['create' => '1']));
        $this->assertTrue($result['created']);
        $this->assertTags(['tag2'], $email);
        $this->assertSame('John', Db::userMeta($email, 'first_name'));
        $this->assertSame('Wick', Db::userMeta($email, 'last_name'));
        $this->assertSame($payload['contact']['id'], Db::userMeta($email, 'taggate_crm_id'));

        // tags.set / contact.upsert use the contact's current tags.
        $this->assertOk($this->crm('tags.set', $payload));
        $this->assertTags(['tag1', 'tag2'], $email);
        $payload['contact']['tags'] = 'tag1, Gold Members, tag3';
        $this->assertOk($this->crm('contact.upsert', $payload));
        $this->assertTags(['tag1', 'Gold Members', 'tag3'], $email);

        // tags.remove with the event's tag.
        $removed = ['type' => 'contact_tag_removed', 'tag' => 'tag3'] + $payload;
        $this->assertOk($this->crm('tags.remove', $removed));
        $this->assertTags(['tag1', 'Gold Members'], $email);

        // The query's tags take precedence over the event's tag.
        $this->assertOk($this->crm('tags.add', $payload, ['tags' => 'Course A,VIP']));
        $this->assertTags(['tag1', 'Gold Members', 'Course A', 'VIP'], $email);
    }

    public function testKeapHttpPost(): void
    {
        $this->adapter('keap');
        $email = $this->email('keap');
        $id = (string) random_int(10000, 99999999);
        $payload = ['contactId' => $id, 'Email' => $email, 'FirstName' => 'Kay', 'LastName' => 'Ap'];
        // Keap carries no tags: without tags= in the URL there is nothing to add.
        $this->assertError($this->crm('tags.add', $payload, ['create' => 'true']), 400, 'invalid_command');
        $this->assertOk($this->crm('tags.add', $payload, ['create' => 'true', 'tags' => 'Course A, VIP']));
        $this->assertTags(['Course A', 'VIP'], $email);
        $this->assertSame($id, Db::userMeta($email, 'taggate_crm_id'));
        $this->assertSame('Kay', Db::userMeta($email, 'first_name'));
        // Other id spellings.
        foreach (['ContactId', 'Id', 'Contact0Id'] as $k) {
            $this->assertOk($this->crm('tags.remove', [$k => $id, 'email' => 'ignored-' . $email], ['tags' => 'VIP']));
        }
        $this->assertTags(['Course A'], $email);
        $this->assertOk($this->crm('access.revoke', ['Id' => $id, 'Email' => $email]));
        $this->assertTags([], $email);
    }

    public function testOntraportSendAWebhookAndApiSubscription(): void
    {
        $this->adapter('ontraport', ['ontraport_tag_map' => ['4' => 'Course A']]);
        $email = $this->email('op');
        $cid = (string) random_int(10000, 99999999);
        $this->assertOk($this->crm('tags.set', ['contact_id' => $cid, 'email' => $email, 'firstname' => 'Mary', 'contact_cat' => '*/*12*/*34*/*'], ['create' => '1']));
        $this->assertTags(['12', '34'], $email, 'unmapped ids stay ids');
        $this->assertSame('Mary', Db::userMeta($email, 'first_name'));

        // API subscription, tag being added: event[tag_id] 4 maps to "Course A".
        $sub = [
            'webhook_id' => '3', 'object_type_id' => '0',
            'event' => ['type' => 'sub_tag', 'tag_id' => '4'],
            'data' => ['id' => $cid, 'firstname' => 'Mary', 'lastname' => 'Smith', 'email' => $email],
            'timestamp' => (string) time(),
        ];
        $this->assertOk($this->crm('tags.add', $sub));
        $this->assertTags(['12', '34', 'Course A'], $email);
        $sub['event']['tag_id'] = '12';
        $this->assertOk($this->crm('tags.remove', $sub));
        $this->assertTags(['34', 'Course A'], $email);
    }

    public function testDripWebhookAndWorkflowShapes(): void
    {
        $this->adapter('drip');
        $email = $this->email('drip');
        $payload = [
            'event' => 'subscriber.applied_tag',
            'data' => [
                'account_id' => '9999999',
                'subscriber' => ['id' => 'z1togz2hcjrkpp5treip' . bin2hex(random_bytes(3)), 'status' => 'active', 'email' => $email, 'custom_fields' => ['name' => 'John Doe'], 'tags' => ['Customer', 'SEO']],
                'properties' => ['tag' => 'Customer'],
            ],
            'occurred_at' => '2013-06-21T10:31:58Z',
        ];
        $json = json_encode($payload);
        $this->assertOk($this->crm('tags.add', $json, ['create' => '1'], 'application/json'));
        $this->assertTags(['Customer'], $email);
        $this->assertOk($this->crm('tags.set', $json, [], 'application/json'));
        $this->assertTags(['Customer', 'SEO'], $email);
        $payload['event'] = 'subscriber.removed_tag';
        $payload['data']['properties']['tag'] = 'SEO';
        $this->assertOk($this->crm('tags.remove', json_encode($payload), [], 'application/json'));
        $this->assertTags(['Customer'], $email);

        // Workflow webhooks: subscriber at the top level.
        $workflow = ['subscriber' => ['id' => 'w' . bin2hex(random_bytes(4)), 'email' => $email, 'tags' => ['Customer', 'Workflow']]];
        $this->assertOk($this->crm('contact.upsert', json_encode($workflow), [], 'application/json'));
        $this->assertTags(['Customer', 'Workflow'], $email);
    }

    public function testKitLegacyAndBatchedEvents(): void
    {
        $this->adapter('kit');
        $email = $this->email('kit');
        $legacy = ['subscriber' => ['id' => random_int(1000, 99999999), 'first_name' => 'John', 'email_address' => $email, 'state' => 'active', 'created_at' => '2018-02-15T19:40:24.913Z', 'fields' => ['My Custom Field' => 'Value']]];
        $this->assertOk($this->crm('tags.add', json_encode($legacy), ['tags' => 'Kit Course', 'create' => '1'], 'application/json'));
        $this->assertTags(['Kit Course'], $email);
        $this->assertSame('John', Db::userMeta($email, 'first_name'));

        $a = $this->email('kit-a');
        $b = $this->email('kit-b');
        $batched = ['delivery_id' => random_int(1, PHP_INT_MAX), 'events' => [
            ['id' => 'e1', 'type' => 'subscriber.created', 'created' => '2025-01-01T00:00:00Z', 'data' => ['subscriber' => ['id' => random_int(1, 99999999), 'first_name' => 'Ada', 'email_address' => $a, 'state' => 'active']]],
            ['id' => 'e2', 'type' => 'subscriber.created', 'created' => '2025-01-01T00:00:00Z', 'data' => ['subscriber' => ['id' => random_int(1, 99999999), 'first_name' => 'Bea', 'email_address' => $b, 'state' => 'active']]],
        ]];
        $result = $this->assertOk($this->crm('contact.upsert', json_encode($batched), ['tags' => 'Newsletter'], 'application/json'));
        $this->assertCount(2, $result['items']);
        $this->assertTags(['Newsletter'], $a);
        $this->assertTags(['Newsletter'], $b);
        $this->assertSame('Bea', Db::userMeta($b, 'first_name'));
    }

    public function testKitSignatureIsVerifiedWhenASecretIsSet(): void
    {
        $secret = 'kit_' . bin2hex(random_bytes(16));
        $this->adapter('kit', ['kit_secret' => $secret]);
        $email = $this->email('kitsig');
        $body = json_encode(['delivery_id' => random_int(1, PHP_INT_MAX), 'events' => [
            ['id' => 'e', 'type' => 'subscriber.tag_add', 'data' => ['subscriber' => ['id' => random_int(1, 99999999), 'email_address' => $email]]],
        ]]);
        $this->assertError($this->crm('tags.add', $body, ['tags' => 'Signed', 'create' => '1'], 'application/json'), 401, 'missing_header');
        $bad = (new \TagGate\Webhook('kit', 'another-secret-entirely'))->sign($body);
        $this->assertError($this->crm('tags.add', $body, ['tags' => 'Signed', 'create' => '1'], 'application/json', $bad), 401, 'no_matching_signature');
        $stale = (new \TagGate\Webhook('kit', $secret))->sign($body, null, time() - 3600);
        $this->assertError($this->crm('tags.add', $body, ['tags' => 'Signed', 'create' => '1'], 'application/json', $stale), 401, 'timestamp_out_of_tolerance');
        $good = (new \TagGate\Webhook('kit', $secret))->sign($body);
        $this->assertOk($this->crm('tags.add', $body, ['tags' => 'Signed', 'create' => '1'], 'application/json', $good));
        $this->assertTags(['Signed'], $email);
        // Kit's delivery_id de-duplicates a redelivery.
        $again = (new \TagGate\Webhook('kit', $secret))->sign($body);
        $this->assertDuplicate($this->crm('tags.add', $body, ['tags' => 'Signed', 'create' => '1'], 'application/json', $again));
    }

    public function testMailchimp(): void
    {
        $this->adapter('mailchimp');
        $email = $this->email('mc');
        $payload = [
            'type' => 'subscribe',
            'fired_at' => '2025-01-24 15:30:00',
            'data' => ['id' => bin2hex(random_bytes(5)), 'email' => $email, 'list_id' => 'a6b5da1054', 'merges' => ['EMAIL' => $email, 'FNAME' => 'John', 'LNAME' => 'Doe', 'INTERESTS' => 'Group1,Group2']],
        ];
        $result = $this->assertOk($this->crm('contact.upsert', $payload));
        $this->assertTrue($result['created']);
        $this->assertSame('Doe', Db::userMeta($email, 'last_name'));
        $this->assertSame([], Db::tags($email), 'Mailchimp carries no tags');
        $this->assertError($this->crm('tags.add', $payload), 400, 'invalid_command');
        $this->assertOk($this->crm('tags.add', $payload, ['tags' => 'Subscribed']));
        $this->assertTags(['Subscribed'], $email);
    }

    public function testGenericFormAndJson(): void
    {
        $email = $this->email('gen');
        $this->assertOk($this->crm('tags.add', ['email' => $email, 'crm_id' => 'g-' . bin2hex(random_bytes(3)), 'first_name' => 'Gen', 'tag' => 'One'], ['create' => 'yes']));
        $this->assertTags(['One'], $email);
        $this->assertOk($this->crm('tags.set', ['email' => $email, 'tags' => 'One, Two ,Three']));
        $this->assertTags(['One', 'Two', 'Three'], $email);
        $this->assertOk($this->crm('tags.set', json_encode(['email' => $email, 'tags' => ['Four', 'Five']]), [], 'application/json'));
        $this->assertTags(['Four', 'Five'], $email);
        $this->assertOk($this->crm('tags.remove', json_encode(['email' => $email, 'contact_id' => random_int(1, PHP_INT_MAX), 'tag' => 'Four']), [], 'application/json'));
        $this->assertTags(['Five'], $email);

        // Neither the URL nor the payload has tags: 400.
        $this->assertError($this->crm('tags.add', ['email' => $email]), 400, 'invalid_command');
        // No e-mail at all: 400.
        $this->assertError($this->crm('tags.add', ['name' => 'x'], ['tags' => 'A']), 400, 'invalid_command');
        // A bad tag is caught by Command::parse.
        $this->assertError($this->crm('tags.add', ['email' => $email, 'tag' => str_repeat('t', 300)]), 400, 'invalid_command');
        // Malformed JSON is read as nothing.
        $this->assertError($this->crm('tags.add', '{"email": ', ['tags' => 'A'], 'application/json'), 400, 'invalid_command');
    }

    public function testCrmCommandsOtherThanTags(): void
    {
        $email = $this->subscriber(['x']);
        $result = $this->assertOk($this->crm('login.link', ['email' => $email]));
        $this->assertStringContainsString('action=taggate_login', $result['url']);
        $this->assertOk($this->crm('ping', ['email' => $email]));
        $this->assertError($this->crm('login.link', ['email' => Stack::get('TAGGATE_ADMIN_EMAIL')]), 403, 'protected_user');
        $this->assertError($this->crm('password.reset', ['email' => $this->email()]), 404, 'unknown_contact');
        $row = Db::deliveries(1)[0];
        $this->assertSame('crm', $row['source']);
        $this->assertSame('generic', $row['scheme']);
        $this->assertSame('password.reset', $row['command']);
        $this->assertSame(404, (int) $row['status']);
    }
}
