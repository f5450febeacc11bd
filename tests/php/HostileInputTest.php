<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\Command;
use TagGate\CommandException;
use TagGate\Rule;
use TagGate\RuleSyntaxException;
use TagGate\SignatureException;
use TagGate\Webhook;

/**
 * Random and adversarial input through every entry point: only the
 * specified exceptions may come out, and the process must survive.
 */
final class HostileInputTest extends TestCase
{
    private const ALPHABET = ['a', 'b', 'vip', '(', ')', ' ', 'and', 'or', 'not', '!', '&&', '||', 'any', 'all',
        'none', 'atleast', ',', '"', "'", '\\', 'for', '7d', '1w', '9', "\n", "\t", 'é', "\x00", "\xff", '#', '@',
        'true', 'false', '99999999999999999999', 'm', 's'];

    public function testRandomRulesOnlyThrowSyntaxErrors(): void
    {
        mt_srand(20261127);
        $compiled = 0;
        for ($i = 0; $i < 20000; $i++) {
            $src = '';
            $n = mt_rand(0, 20);
            for ($j = 0; $j < $n; $j++) {
                $src .= self::ALPHABET[mt_rand(0, count(self::ALPHABET) - 1)];
            }
            try {
                $rule = Rule::compile($src);
                $rule->matches(['a' => 5, 'vip'], 1000);
                self::assertSame((string) $rule, (string) Rule::compile((string) $rule));
                $compiled++;
            } catch (RuleSyntaxException $e) {
                self::assertMatchesRegularExpression('/at line \d+, column \d+$/', $e->getMessage());
            }
        }
        self::assertGreaterThan(100, $compiled, 'some random rules are valid');
    }

    public function testRandomBytesIntoEveryParser(): void
    {
        mt_srand(7);
        $hook = new Webhook('standard', 'whsec_' . base64_encode(random_bytes(24)));
        $stripe = new Webhook('stripe', 'sk_test');
        for ($i = 0; $i < 3000; $i++) {
            $bytes = random_bytes(mt_rand(1, 64));
            try {
                Rule::compile($bytes);
            } catch (RuleSyntaxException) {
            }
            try {
                Command::parse($bytes);
            } catch (CommandException) {
            }
            try {
                $hook->verify(['webhook-id' => $bytes, 'webhook-timestamp' => $bytes, 'webhook-signature' => $bytes], $bytes, 1);
                self::fail('random bytes verified');
            } catch (SignatureException $e) {
                self::assertContains($e->getCode(), [1, 2, 3, 4]);
            }
            try {
                $stripe->verify(['Stripe-Signature' => 't=' . $bytes . ',v1=' . $bytes], $bytes, 1);
                self::fail('random bytes verified');
            } catch (SignatureException $e) {
                self::assertContains($e->getCode(), [1, 2, 3, 4]);
            }
        }
        $this->addToAssertionCount(1);
    }

    public function testPathologicalRules(): void
    {
        $cases = [
            str_repeat('(', 70000),
            str_repeat('not ', 16000) . 'a',
            str_repeat('!', 65536),
            'any(' . str_repeat('a,', 30000) . 'b)',
            str_repeat('"', 65536),
            'x for ' . str_repeat('9', 60000) . 'd',
            'atleast(' . str_repeat('9', 60000) . ', a)',
        ];
        foreach ($cases as $src) {
            try {
                Rule::compile($src);
            } catch (RuleSyntaxException $e) {
                self::assertMatchesRegularExpression('/at line \d+, column \d+$/', $e->getMessage());
            }
        }
        $this->addToAssertionCount(1);
    }

    public function testDeepJson(): void
    {
        foreach (['[', '{"a":'] as $open) {
            try {
                Command::parse(str_repeat($open, 200000));
                self::fail('parsed');
            } catch (CommandException $e) {
                self::assertStringStartsWith('/: ', $e->getMessage());
            }
        }
    }

    public function testCacheStaysBoundedAfterManyDistinctRules(): void
    {
        $rss = static function (): int {
            preg_match('/VmRSS:\s+(\d+) kB/', (string) file_get_contents('/proc/self/status'), $m);
            return (int) ($m[1] ?? 0) * 1024;
        };
        for ($i = 0; $i < 20000; $i++) {
            Rule::compile("warm-$i or other-$i");
        }
        $start = $rss();
        for ($i = 0; $i < 300000; $i++) {
            Rule::compile("distinct-rule-$i and (tag-$i or \"another tag $i\") and not refunded-$i");
        }
        $stats = taggate_cache_stats();
        self::assertLessThanOrEqual($stats['capacity'], $stats['size']);
        // The cache may fill (≤ 16 MiB by design) but must not grow with the number of rules seen.
        $grown = $rss() - $start;
        self::assertLessThan(24 * 1024 * 1024, $grown, sprintf('RSS grew by %.1f MiB', $grown / 1048576));
    }
}
