<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\TagSet;

final class TagSetTest extends TestCase
{
    public function testKeysFoldCaseAndWhiteSpace(): void
    {
        $set = new TagSet(['VIP', 'Course  A' => 100]);
        self::assertTrue($set->has('vip'));
        self::assertTrue($set->has(' Vip '));
        self::assertTrue($set->has('course a'));
        self::assertTrue($set->has('CAFÉ') === false);
        $set->add('Café');
        self::assertTrue($set->has('CAFÉ'));
        self::assertCount(3, $set);
        self::assertSame(3, $set->count());
    }

    public function testFirstSpellingKeptAndTimeUpdated(): void
    {
        $set = new TagSet();
        $set->add('Course A', 10);
        $set->add('COURSE A');
        self::assertSame(10, $set->appliedAt('course a'), 'no time given keeps the time');
        $set->add('course a', 20);
        self::assertSame(['Course A' => 20], $set->toArray());
    }

    public function testAppliedAtIsNullWhenUnknownOrAbsent(): void
    {
        $set = new TagSet(['vip', 'trial' => null]);
        self::assertNull($set->appliedAt('vip'));
        self::assertNull($set->appliedAt('trial'));
        self::assertNull($set->appliedAt('nope'));
        self::assertFalse($set->has(''), 'an invalid tag is never held');
    }

    public function testRemoveKeepsOrder(): void
    {
        $set = new TagSet(['a', 'b', 'c', 'd']);
        self::assertTrue($set->remove('B'));
        self::assertFalse($set->remove('b'));
        $set->add('e', 5);
        self::assertSame(['a' => null, 'c' => null, 'd' => null, 'e' => 5], $set->toArray());
        self::assertCount(4, $set);
    }

    public function testNumericTagsBecomeIntKeys(): void
    {
        $set = new TagSet([555 => 7, '12' => null]);
        $arr = $set->toArray();
        self::assertSame([555 => 7, 12 => null], $arr);
        self::assertTrue($set->has('555'));
        self::assertSame(7, $arr['555']);
    }

    /** @return iterable<string, array{mixed}> */
    public static function badTags(): iterable
    {
        yield 'empty' => [['']];
        yield 'blank' => [["  \t "]];
        yield 'control' => [["a\nb"]];
        yield 'DEL' => [["a\x7fb"]];
        yield 'too long' => [[str_repeat('é', 128)]];
        yield 'invalid utf-8' => [["\xc3\x28"]];
    }

    /**
     * @dataProvider badTags
     * @param array<mixed> $tags
     */
    public function testBadTagsAreValueErrors(array $tags): void
    {
        $this->expectException(\ValueError::class);
        new TagSet($tags);
    }

    public function testBadTagInAddIsValueErrorAndChangesNothing(): void
    {
        $set = new TagSet(['a']);
        try {
            $set->add(str_repeat('x', 256));
            self::fail('expected ValueError');
        } catch (\ValueError $e) {
            self::assertStringContainsString('255', $e->getMessage());
        }
        self::assertSame(['a' => null], $set->toArray());
    }

    public function testMaxLengthTagIsAccepted(): void
    {
        $tag = str_repeat('x', 255);
        $set = new TagSet(["  $tag  "]);
        self::assertTrue($set->has($tag));
    }

    /** @return iterable<string, array{array<mixed>}> */
    public static function wrongTypes(): iterable
    {
        yield 'float' => [['a' => 1.5]];
        yield 'bool' => [['a' => true]];
        yield 'array' => [['a' => []]];
        yield 'object' => [['a' => new \stdClass()]];
    }

    /**
     * @dataProvider wrongTypes
     * @param array<mixed> $tags
     */
    public function testWrongEntryTypesAreTypeErrors(array $tags): void
    {
        $this->expectException(\TypeError::class);
        new TagSet($tags);
    }

    public function testTagKeyFunction(): void
    {
        self::assertSame('course a', taggate_tag_key("  Course \u{3000} A "));
        self::assertSame('café', taggate_tag_key('CAFÉ'));
        self::assertSame('όσος', taggate_tag_key('ΌΣΟΣ'), 'final sigma, as str::to_lowercase');
        $this->expectException(\ValueError::class);
        taggate_tag_key("a\tb");
    }

    public function testIsCountable(): void
    {
        self::assertInstanceOf(\Countable::class, new TagSet());
        self::assertSame(0, count(new TagSet()));
    }
}
