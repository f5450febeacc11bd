<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\Rule;
use TagGate\RuleSyntaxException;
use TagGate\TagSet;

final class RuleTest extends TestCase
{
    private const NOW = 1764000000;

    public function testAccessAllyStyleRule(): void
    {
        $rule = Rule::compile('any("Course A", vip) and none(refunded, revoked)');
        self::assertTrue($rule->matches(['Course A'], self::NOW));
        self::assertTrue($rule->matches(['VIP'], self::NOW));
        self::assertFalse($rule->matches(['vip', 'Refunded'], self::NOW));
        self::assertFalse($rule->matches([], self::NOW));
    }

    public function testDripTimingUsesAppliedTime(): void
    {
        $rule = Rule::compile('course-a for 7d');
        $day = 86400;
        self::assertFalse($rule->matches(['course-a' => self::NOW - 6 * $day], self::NOW));
        self::assertTrue($rule->matches(['course-a' => self::NOW - 7 * $day], self::NOW));
        // A tag with no known time counts as applied at time 0.
        self::assertTrue($rule->matches(['course-a'], self::NOW));
        self::assertTrue($rule->matches(['course-a' => null], self::NOW));
        // Not held at all.
        self::assertFalse($rule->matches(['course-b' => 0], self::NOW));
    }

    public function testNowDefaultsToTheCurrentTime(): void
    {
        $rule = Rule::compile('x for 1h');
        self::assertTrue($rule->matches(['x' => time() - 3700]));
        self::assertFalse($rule->matches(['x' => time() + 3600]));
    }

    public function testExtremeTimesDoNotOverflow(): void
    {
        $rule = Rule::compile('x for 1s');
        self::assertFalse($rule->matches(['x' => PHP_INT_MAX], PHP_INT_MIN));
        self::assertTrue($rule->matches(['x' => PHP_INT_MIN], PHP_INT_MAX));
    }

    public function testAtLeast(): void
    {
        self::assertTrue(Rule::compile('atleast(2, a, b, c)')->matches(['A', 'c'], self::NOW));
        self::assertFalse(Rule::compile('atleast(2, a, a, b)')->matches(['a'], self::NOW));
        self::assertTrue(Rule::compile('atleast(0, a)')->matches([], self::NOW));
        self::assertFalse(Rule::compile('atleast(3, a, b)')->matches(['a', 'b'], self::NOW));
        self::assertFalse(Rule::compile('atleast(99999999999999999999999, a)')->matches(['a'], self::NOW));
    }

    public function testIntKeysReadBackAsTags(): void
    {
        // PHP turns the key '555' into int 555; it still names the tag "555".
        self::assertTrue(Rule::compile('"555"')->matches(['555' => 10], self::NOW));
        self::assertTrue(Rule::compile('555')->matches([555 => null], self::NOW));
    }

    public function testTagsListsDistinctKeysInFirstSpelling(): void
    {
        self::assertSame(['VIP', 'course a'], Rule::compile('VIP and ("course a" or vip or "Course A")')->tags());
    }

    public function testCanonicalFormIsPrinted(): void
    {
        self::assertSame('any(a, b) and none(refunded, "x y")', (string) Rule::compile("ANY(a,b) && NONE( refunded , 'x y' , )"));
    }

    public function testWrongTagsTypeIsATypeError(): void
    {
        $this->expectException(\TypeError::class);
        $this->expectExceptionMessage('TagSet|array');
        Rule::compile('a')->matches(new \stdClass());
    }

    public function testWrongArrayEntryIsATypeError(): void
    {
        $this->expectException(\TypeError::class);
        Rule::compile('a')->matches(['a' => 1.5]);
    }

    public function testBadTagInArrayIsAValueError(): void
    {
        $this->expectException(\ValueError::class);
        Rule::compile('a')->matches(["bad\ttag"]);
    }

    /** @return iterable<string, array{string, string}> */
    public static function badRules(): iterable
    {
        yield 'unclosed group' => ['(a or b', "expected ')' but found end of rule at line 1, column 8"];
        yield 'empty' => ['', 'at line 1, column 1'];
        yield 'too long' => [str_repeat('a', 65537), 'at line 1, column 1'];
        yield 'too deep' => [str_repeat('(', 101) . 'a' . str_repeat(')', 101), 'column'];
        yield 'deep not' => [str_repeat('not ', 200) . 'a', 'column'];
        yield 'control char in tag' => ["'a\x01b'", 'column'];
        yield 'tag too long' => ['"' . str_repeat('x', 256) . '"', 'column 1'];
        yield 'invalid utf-8' => ["a or\n \xff", 'at line 2, column 2'];
    }

    /** @dataProvider badRules */
    public function testBadRulesThrowWithPosition(string $source, string $expected): void
    {
        try {
            Rule::compile($source);
            self::fail('expected RuleSyntaxException');
        } catch (RuleSyntaxException $e) {
            self::assertStringContainsString($expected, $e->getMessage());
            self::assertMatchesRegularExpression('/at line \d+, column \d+$/', $e->getMessage());
            self::assertInstanceOf(\TagGate\Exception::class, $e);
        }
    }

    public function testLimitsAreInclusive(): void
    {
        $deep = str_repeat('(', 99) . 'a' . str_repeat(')', 99);
        self::assertSame('a', (string) Rule::compile($deep));
        $long = implode(' or ', array_fill(0, 13107, 'ab')); // 13107*2 + 13106*4 = 78638 > limit
        $this->expectException(RuleSyntaxException::class);
        Rule::compile($long);
    }

    public function testHugeFlatRuleStillCompiles(): void
    {
        // 65,536 bytes exactly: a flat chain of short tags.
        $src = rtrim(str_repeat('ab or ', 10922), ' or');
        $src .= str_repeat(' ', 65536 - strlen($src));
        self::assertSame(65536, strlen($src));
        self::assertTrue(Rule::compile($src)->matches(['ab']));
    }

    public function testRuleCannotBeConstructedDirectly(): void
    {
        $this->expectException(\Throwable::class);
        new Rule();
    }
}
