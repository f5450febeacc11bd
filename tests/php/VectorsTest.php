<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;
use TagGate\Rule;
use TagGate\RuleSyntaxException;
use TagGate\SignatureException;
use TagGate\TagSet;
use TagGate\Webhook;

/**
 * Every case of ../shared/vectors/*.json, read in place, against the built
 * extension.
 */
final class VectorsTest extends TestCase
{
    /** @return iterable<string, array{array<string, mixed>}> */
    public static function ruleCases(): iterable
    {
        foreach (taggate_vectors('rules.json') as $i => $case) {
            yield sprintf('#%d %s', $i, json_encode($case['rule'], JSON_UNESCAPED_UNICODE)) => [$case];
        }
    }

    /** @return iterable<string, array{array<string, mixed>}> */
    public static function signatureCases(): iterable
    {
        foreach (taggate_vectors('signatures.json') as $i => $case) {
            yield sprintf('#%d %s', $i, $case['name'] ?? ($case['scheme'] . ' sign')) => [$case];
        }
    }

    public function testVectorFilesAreNotEmpty(): void
    {
        self::assertGreaterThan(50, count(taggate_vectors('rules.json')));
        self::assertGreaterThan(20, count(taggate_vectors('signatures.json')));
    }

    /**
     * @dataProvider ruleCases
     * @param array<string, mixed> $case
     */
    public function testRuleVector(array $case): void
    {
        if (array_key_exists('expect', $case)) {
            $set = new TagSet();
            $array = [];
            foreach ($case['tags'] as [$tag, $at]) {
                $set->add($tag, $at);
                $array[$tag] = $at;
            }
            $rule = Rule::compile($case['rule']);
            self::assertSame($case['expect'], $rule->matches($set, $case['now']), 'TagSet');
            self::assertSame($case['expect'], $rule->matches($array, $case['now']), 'array');
            self::assertSame($case['expect'], taggate_evaluate($case['rule'], $set, $case['now']), 'taggate_evaluate');
            return;
        }
        if (array_key_exists('canonical', $case)) {
            $canonical = (string) Rule::compile($case['rule']);
            self::assertSame($case['canonical'], $canonical);
            self::assertSame($canonical, (string) Rule::compile($canonical), 'canonical form is stable');
            return;
        }
        if (array_key_exists('error', $case)) {
            try {
                Rule::compile($case['rule']);
                self::fail('expected a RuleSyntaxException');
            } catch (RuleSyntaxException $e) {
                if (is_array($case['error'])) {
                    $suffix = sprintf('at line %d, column %d', $case['error']['line'], $case['error']['column']);
                    self::assertStringEndsWith($suffix, $e->getMessage());
                }
            }
            return;
        }
        if (array_key_exists('tags_of_rule', $case)) {
            self::assertSame($case['tags_of_rule'], Rule::compile($case['rule'])->tags());
            return;
        }
        self::fail('unknown vector shape: ' . json_encode($case));
    }

    /**
     * @dataProvider signatureCases
     * @param array<string, mixed> $case
     */
    public function testSignatureVector(array $case): void
    {
        if (!empty($case['construct'])) {
            $this->expectException(\ValueError::class);
            new Webhook($case['scheme'], $case['secrets']);
            return;
        }
        if (!empty($case['sign'])) {
            $hook = new Webhook($case['scheme'], $case['secret']);
            $got = $hook->sign($case['body'], $case['id'], $case['timestamp'], $case['method'], $case['url']);
            self::assertSame(self::lowerKeys($case['headers']), self::lowerKeys($got));
            return;
        }
        $body = array_key_exists('body_base64', $case) ? base64_decode($case['body_base64'], true) : $case['body'];
        $hook = new Webhook($case['scheme'], $case['secrets'], $case['tolerance']);
        $ok = taggate_verify($case['scheme'], $case['secrets'], $case['headers'], $body, $case['tolerance'], $case['now']);
        if ($case['method'] === 'POST' && $case['url'] === '') {
            self::assertSame($case['expect'] === 'ok', $ok, 'taggate_verify agrees');
        }
        try {
            $id = $hook->verify($case['headers'], $body, $case['now'], $case['method'], $case['url']);
            self::assertSame('ok', $case['expect'], 'verified, but the vector expects ' . $case['expect']);
            if (array_key_exists('id', $case)) {
                self::assertSame($case['id'], $id);
            }
        } catch (SignatureException $e) {
            $codes = [
                'missing_header' => SignatureException::MISSING_HEADER,
                'malformed_header' => SignatureException::MALFORMED_HEADER,
                'timestamp_out_of_tolerance' => SignatureException::TIMESTAMP_OUT_OF_TOLERANCE,
                'no_matching_signature' => SignatureException::NO_MATCHING_SIGNATURE,
            ];
            self::assertNotSame('ok', $case['expect'], 'unexpected failure: ' . $e->getMessage());
            self::assertSame($codes[$case['expect']], $e->getCode(), $e->getMessage());
            foreach ((array) $case['secrets'] as $secret) {
                self::assertStringNotContainsString($secret, $e->getMessage());
            }
        }
    }

    /**
     * @param array<string, string> $headers
     * @return array<string, string>
     */
    private static function lowerKeys(array $headers): array
    {
        $out = array_change_key_case($headers, CASE_LOWER);
        ksort($out);
        return $out;
    }
}
