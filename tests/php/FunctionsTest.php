<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\RuleSyntaxException;
use TagGate\TagSet;

final class FunctionsTest extends TestCase
{
    public function testFilterKeepsKeys(): void
    {
        $out = taggate_filter(
            ['module-1' => 'vip', 7 => 'refunded', 'drip' => 'vip for 1d'],
            new TagSet(['VIP' => 1000]),
            1000 + 3600
        );
        self::assertSame(['module-1' => true, 7 => false, 'drip' => false], $out);
    }

    public function testFilterErrorStartsWithTheKey(): void
    {
        try {
            taggate_filter(['ok' => 'a', 'lesson-9' => 'a and'], ['a']);
            self::fail('expected RuleSyntaxException');
        } catch (RuleSyntaxException $e) {
            self::assertStringStartsWith('lesson-9', $e->getMessage());
            self::assertStringEndsWith('at line 1, column 6', $e->getMessage());
        }
    }

    public function testFilterRejectsNonStringRules(): void
    {
        $this->expectException(\TypeError::class);
        taggate_filter(['a' => 5], []);
    }

    public function testEvaluate(): void
    {
        self::assertTrue(taggate_evaluate('a and not b', ['a']));
        self::assertFalse(taggate_evaluate('a and not b', new TagSet(['a', 'B'])));
    }

    public function testVersion(): void
    {
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+/', taggate_version());
        self::assertSame(phpversion('taggate'), taggate_version());
    }

    public function testCacheStatsCountHitsAndMisses(): void
    {
        $src = 'unique-' . bin2hex(random_bytes(8));
        $before = taggate_cache_stats();
        self::assertSame(['hits', 'misses', 'size', 'capacity'], array_keys($before));
        \TagGate\Rule::compile($src);
        \TagGate\Rule::compile($src);
        $after = taggate_cache_stats();
        self::assertSame($before['misses'] + 1, $after['misses']);
        self::assertSame($before['hits'] + 1, $after['hits']);
        self::assertGreaterThan(0, $after['capacity']);
        self::assertLessThanOrEqual($after['capacity'], $after['size']);
    }

    public function testPhpinfoHasATaggateSection(): void
    {
        ob_start();
        phpinfo(INFO_MODULES);
        $info = (string) ob_get_clean();
        self::assertMatchesRegularExpression('/^taggate$/m', $info);
        self::assertStringContainsString('SHA-256 acceleration', $info);
        self::assertStringContainsString('rule cache', $info);
    }

    public function testCommittedStubsNameEverything(): void
    {
        $stubs = (string) file_get_contents(TAGGATE_REPO . '/php/taggate.stubs.php');
        foreach (['class Rule', 'class TagSet', 'class Webhook', 'class Command', 'class RuleSyntaxException',
                  'class CommandException', 'class SignatureException', 'function taggate_evaluate',
                  'function taggate_filter', 'function taggate_verify', 'function taggate_version',
                  'function taggate_cache_stats'] as $needle) {
            self::assertStringContainsString($needle, $stubs);
        }
    }
}
