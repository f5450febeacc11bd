<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\Command;
use TagGate\CommandException;

final class CommandTest extends TestCase
{
    public function testNormalisesATagsCommand(): void
    {
        $cmd = Command::parse(json_encode([
            'command' => 'tags.add',
            'contact' => ['email' => '  ana@example.com ', 'crm_id' => 8812, 'first_name' => 'Ana'],
            'tags' => ['Course A', 'VIP', 'course  a', ' vip '],
            'extra' => 'ignored',
        ]));
        self::assertSame('tags.add', $cmd['command']);
        self::assertSame('ana@example.com', $cmd['contact']['email']);
        self::assertSame('8812', $cmd['contact']['crm_id']);
        self::assertSame('Ana', $cmd['contact']['first_name']);
        self::assertSame(['Course A', 'VIP'], $cmd['tags']);
        self::assertFalse($cmd['create']);
        self::assertArrayNotHasKey('extra', $cmd);
    }

    public function testPing(): void
    {
        self::assertSame('ping', Command::parse('{"command":"ping"}')['command']);
    }

    public function testBatch(): void
    {
        $items = [];
        for ($i = 0; $i < 500; $i++) {
            $items[] = ['command' => 'tags.set', 'contact' => ['email' => "u$i@example.com"], 'tags' => []];
        }
        $cmd = Command::parse(json_encode(['command' => 'batch', 'items' => $items]));
        self::assertCount(500, $cmd['items']);
        self::assertSame('u499@example.com', $cmd['items'][499]['contact']['email']);
    }

    /** @return iterable<string, array{string, string}> */
    public static function badCommands(): iterable
    {
        yield 'not json' => ['{', '/: '];
        yield 'not an object' => ['[1]', '/: '];
        yield 'invalid utf-8' => ["{\"command\":\"ping\",\"x\":\"\xff\"}", '/: '];
        yield 'unknown command' => ['{"command":"tags.explode"}', '/command: '];
        yield 'missing contact' => ['{"command":"tags.add","tags":["a"]}', '/contact: '];
        yield 'missing tags' => ['{"command":"tags.add","contact":{"email":"a@b.c"}}', '/tags: '];
        yield 'tag not a string' => ['{"command":"tags.add","contact":{"email":"a@b.c"},"tags":["a","b","c",4]}', '/tags/3: expected a string'];
        yield 'bad tag' => ['{"command":"tags.add","contact":{"email":"a@b.c"},"tags":[""]}', '/tags/0: '];
        yield 'two @' => ['{"command":"access.revoke","contact":{"email":"a@b@c"}}', '/contact/email: '];
        yield 'space in email' => ['{"command":"access.revoke","contact":{"email":"a b@c.d"}}', '/contact/email: '];
        yield 'email too long' => ['{"command":"access.revoke","contact":{"email":"' . str_repeat('a', 250) . '@b.cd"}}', '/contact/email: '];
        yield 'crm_id too long' => ['{"command":"access.revoke","contact":{"email":"a@b.c","crm_id":"' . str_repeat('9', 65) . '"}}', '/contact/crm_id: '];
        yield 'crm_id wrong type' => ['{"command":"access.revoke","contact":{"email":"a@b.c","crm_id":[1]}}', '/contact/crm_id: '];
        yield 'name too long' => ['{"command":"contact.upsert","contact":{"email":"a@b.c","first_name":"' . str_repeat('é', 101) . '"}}', '/contact/first_name: '];
        yield 'create not bool' => ['{"command":"tags.add","contact":{"email":"a@b.c"},"tags":[],"create":"yes"}', '/create: '];
        yield 'nested batch' => ['{"command":"batch","items":[{"command":"batch","items":[]}]}', '/items/0'];
        yield 'empty batch' => ['{"command":"batch","items":[]}', '/items: '];
        yield 'bad item' => ['{"command":"batch","items":[{"command":"ping"},{"command":"tags.add","contact":{"email":"x"},"tags":[]}]}', '/items/1/contact/email: '];
        yield 'too many tags' => ['{"command":"tags.set","contact":{"email":"a@b.c"},"tags":' . json_encode(array_map(fn ($i) => "t$i", range(0, 1000))) . '}', '/tags: '];
        yield 'too many items' => ['{"command":"batch","items":' . json_encode(array_fill(0, 501, ['command' => 'ping'])) . '}', '/items: '];
        yield 'deep nesting' => [str_repeat('[', 100000) . str_repeat(']', 100000), '/: '];
        yield 'over 1 MiB' => ['{"command":"ping","pad":"' . str_repeat('x', 1 << 20) . '"}', '/: '];
    }

    /** @dataProvider badCommands */
    public function testBadCommandsNameThePointer(string $json, string $prefix): void
    {
        try {
            Command::parse($json);
            self::fail('expected CommandException');
        } catch (CommandException $e) {
            self::assertStringStartsWith($prefix, $e->getMessage());
            self::assertInstanceOf(\TagGate\Exception::class, $e);
        }
    }
}
