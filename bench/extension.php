<?php
/**
 * Benchmarks of SPEC §7's extension budgets, each against its baselines run
 * in this same process. Prints ns/op and ratios; asserts nothing.
 *
 *   php -d extension=target/release/libtaggate.so bench/extension.php
 *   (or ./dev.sh bench, which builds first and also measures idle RSS)
 */

declare(strict_types=1);

use TagGate\Rule;
use TagGate\TagSet;
use TagGate\Webhook;

if (!extension_loaded('taggate')) {
    fwrite(STDERR, "load the extension: php -d extension=target/release/libtaggate.so bench/extension.php\n");
    exit(1);
}

$quick = in_array('--quick', $argv, true);
$scale = $quick ? 0.1 : 1.0;

/**
 * Runs $fn $n times (after a warm-up) and returns ns per call, best of 5
 * rounds, minus the cost of calling an empty closure the same way (the loop
 * and closure overhead both sides of every ratio would otherwise carry).
 */
function bench(callable $fn, int $n): float
{
    static $overhead = null;
    if ($overhead === null) {
        $overhead = 0.0;
        $overhead = raw_bench(static fn () => null, 1000000);
    }
    return max(0.1, raw_bench($fn, $n) - $overhead);
}

function raw_bench(callable $fn, int $n): float
{
    for ($i = 0; $i < min(1000, $n); $i++) {
        $fn();
    }
    $best = INF;
    for ($round = 0; $round < 5; $round++) {
        $t = hrtime(true);
        for ($i = 0; $i < $n; $i++) {
            $fn();
        }
        $best = min($best, (hrtime(true) - $t) / $n);
    }
    return $best;
}

function row(string $what, float $ns, string $note = ''): void
{
    printf("  %-58s %12s ns/op  %s\n", $what, number_format($ns, 1), $note);
}

function rss(): int
{
    preg_match('/VmRSS:\s+(\d+) kB/', (string) file_get_contents('/proc/self/status'), $m);
    return (int) ($m[1] ?? 0) * 1024;
}

$n = (int) (200000 * $scale);
$now = 1764000000;

// A user with 200 tags, as a CRM keeps them: a few real ones among many.
$tags = [];
for ($i = 0; $i < 195; $i++) {
    $tags["Tag Number $i"] = $now - $i * 3600;
}
$tags['Course A'] = $now - 10 * 86400;
$tags['VIP'] = $now - 86400;
$tags['Newsletter'] = $now - 30 * 86400;
$tags['Webinar 2026'] = $now - 2 * 86400;
$tags['Member'] = $now - 400 * 86400;
$set = new TagSet($tags);
$tagList = array_keys($tags);

// A typical gating rule with 8 tags (AccessAlly's "any of these, none of those" plus a drip).
$source = 'any("Course A", "Course B", vip, member) and none(refunded, revoked, chargeback) and "course a" for 7d';
$rule = Rule::compile($source);

echo "TagGate extension benchmarks — PHP " . PHP_VERSION . ", taggate " . taggate_version() . "\n";
echo "rule: $source\nset: 200 tags\n";
printf("(figures are net of the %.1f ns a call to an empty closure costs in the same loop)\n\n", raw_bench(static fn () => null, 1000000));

echo "Rule::matches (SPEC §7: ≤ 200 ns; ≥ 50× array_intersect; ≥ 3× plain-PHP evaluator)\n";
$tMatch = bench(static fn () => $rule->matches($set, $now), $n);
row('Rule::matches(TagSet)', $tMatch);

// Baseline 1: WP Fusion-style checks over tag arrays (array_intersect), with
// the case-insensitive matching TagGate does (WP Fusion lower-cases names too
// when it compares by name).
$anyOf = ['Course A', 'Course B', 'VIP', 'Member'];
$noneOf = ['Refunded', 'Revoked', 'Chargeback'];
$userTagsLower = static fn (): array => array_map('strtolower', $tagList);
$wpf = static function () use ($tagList, $anyOf, $noneOf, $tags, $now): bool {
    $user = array_map('strtolower', $tagList);
    if (empty(array_intersect(array_map('strtolower', $anyOf), $user))) {
        return false;
    }
    if (!empty(array_intersect(array_map('strtolower', $noneOf), $user))) {
        return false;
    }
    $applied = array_change_key_case($tags, CASE_LOWER);
    return isset($applied['course a']) && $now - $applied['course a'] >= 7 * 86400;
};
assert($wpf() === $rule->matches($set, $now));
$tWpf = bench($wpf, (int) max(2000, $n / 20));
row('baseline: WP Fusion-style array_intersect', $tWpf, sprintf('→ TagGate %.0f× faster', $tWpf / $tMatch));

// Baseline 2: a plain-PHP evaluator of the same rule (an AST walked by a
// recursive function) over an isset hash keyed by lower-cased tag.
$hash = [];
foreach ($tags as $t => $at) {
    $hash[mb_strtolower($t)] = $at;
}
$ast = ['and', [
    ['and', [
        ['any', ['course a', 'course b', 'vip', 'member']],
        ['none', ['refunded', 'revoked', 'chargeback']],
    ]],
    ['for', 'course a', 7 * 86400],
]];
$eval = static function (array $node, array $h, int $now) use (&$eval): bool {
    switch ($node[0]) {
        case 'and':
            foreach ($node[1] as $c) {
                if (!$eval($c, $h, $now)) {
                    return false;
                }
            }
            return true;
        case 'or':
            foreach ($node[1] as $c) {
                if ($eval($c, $h, $now)) {
                    return true;
                }
            }
            return false;
        case 'not':
            return !$eval($node[1], $h, $now);
        case 'any':
            foreach ($node[1] as $t) {
                if (isset($h[$t])) {
                    return true;
                }
            }
            return false;
        case 'none':
            foreach ($node[1] as $t) {
                if (isset($h[$t])) {
                    return false;
                }
            }
            return true;
        case 'for':
            return isset($h[$node[1]]) && $now - $h[$node[1]] >= $node[2];
    }
    return false;
};
assert($eval($ast, $hash, $now) === $rule->matches($set, $now));
$tEval = bench(static fn () => $eval($ast, $hash, $now), $n);
row('baseline: plain-PHP evaluator over isset hash', $tEval, sprintf('→ TagGate %.1f× faster', $tEval / $tMatch));
$tArr = bench(static fn () => $rule->matches($tags, $now), (int) max(2000, $n / 20));
row('(info) Rule::matches(array of 200 tags), builds a set per call', $tArr);

echo "\ntaggate_filter, 1,000 rules, one 200-tag set (SPEC §7: ≤ 100 µs)\n";
$rules = [];
for ($i = 0; $i < 1000; $i++) {
    $rules["post-$i"] = sprintf('any("Course %d", vip) and none(refunded, "Tag Number %d") or member for %dd', $i % 7, $i % 300, $i % 30);
}
taggate_filter($rules, $set, $now);
$tFilter = bench(static fn () => taggate_filter($rules, $set, $now), (int) max(50, 2000 * $scale));
row('taggate_filter(1,000 rules)', $tFilter, sprintf('= %.1f µs', $tFilter / 1000));

echo "\nRule::compile (SPEC §7: ≤ 5 µs on a miss, ≤ 200 ns on a hit)\n";
$i = 0;
$tMiss = bench(static function () use (&$i) {
    Rule::compile('any("Course A", vip, t' . ($i++) . ') and none(refunded, revoked) and member for 7d');
}, (int) max(2000, 50000 * $scale));
row('Rule::compile, miss (distinct source each call)', $tMiss, sprintf('= %.2f µs', $tMiss / 1000));
$tHit = bench(static fn () => Rule::compile($source), $n);
row('Rule::compile, hit', $tHit);

echo "\nWebhook::verify, standard (SPEC §7: ≤ 2 µs on 1 KiB; on 64 KiB ≥ 4× hash_hmac, ≥ 80 % of OpenSSL SHA-256)\n";
$secret = 'whsec_' . base64_encode(str_repeat("\x42", 32));
$key = str_repeat("\x42", 32);
$hook = new Webhook('standard', $secret);
// The PHP verifier a plugin would write: same header parsing, hash_hmac, hash_equals.
$phpVerify = static function (array $headers, string $body) use ($key): bool {
    $h = array_change_key_case($headers, CASE_LOWER);
    $id = $h['webhook-id'] ?? null;
    $ts = $h['webhook-timestamp'] ?? null;
    $sigs = $h['webhook-signature'] ?? null;
    if ($id === null || $ts === null || $sigs === null || !ctype_digit($ts) || abs(time() - (int) $ts) > 300) {
        return false;
    }
    $expected = base64_encode(hash_hmac('sha256', "$id.$ts.$body", $key, true));
    foreach (explode(' ', $sigs) as $sig) {
        [$v, $b64] = array_pad(explode(',', $sig, 2), 2, '');
        if ($v === 'v1' && hash_equals($expected, $b64)) {
            return true;
        }
    }
    return false;
};
foreach ([1024, 65536] as $size) {
    $body = str_repeat('x', $size);
    $headers = $hook->sign($body, 'msg_bench', time());
    assert($phpVerify($headers, $body));
    $iters = $size === 1024 ? $n / 2 : (int) max(2000, 20000 * $scale);
    $tOurs = bench(static fn () => $hook->verify($headers, $body), (int) $iters);
    $tPhp = bench(static fn () => $phpVerify($headers, $body), (int) $iters);
    $label = $size === 1024 ? '1 KiB' : '64 KiB';
    row("Webhook::verify, $label", $tOurs, sprintf('= %.2f µs', $tOurs / 1000));
    row("baseline: hash_hmac verifier, $label", $tPhp, sprintf('→ TagGate %.2f× faster', $tPhp / $tOurs));
    if ($size === 65536) {
        $tSsl = bench(static fn () => openssl_digest($body, 'sha256', true), (int) $iters);
        row('limit: OpenSSL SHA-256 of 64 KiB (openssl_digest)', $tSsl, sprintf('→ TagGate at %.0f %% of OpenSSL speed', 100 * $tSsl / $tOurs));
        printf("  %-58s %12s MB/s\n", 'TagGate verify throughput', number_format($size / $tOurs * 1000, 0));
    }
}

echo "\nMemory (SPEC §7: rule cache ≤ 16 MiB when full)\n";
$before = rss();
$cap = taggate_cache_stats()['capacity'];
for ($j = 0; $j < $cap * 2; $j++) {
    Rule::compile(sprintf('any("Course %d", "VIP %d", member) and none(refunded, "revoked %d") and "lesson %d" for %dd', $j, $j, $j, $j, $j % 90));
}
$after = rss();
$st = taggate_cache_stats();
printf("  rule cache full: %d/%d entries, RSS +%.2f MiB for the full cache of typical rules\n", $st['size'], $st['capacity'], ($after - $before) / 1048576);
$before = rss();
for ($j = 0; $j < $cap * 2; $j++) {
    Rule::compile(sprintf('(%s) or x%d', rtrim(str_repeat('any(a, b, c) and ', 3000), ' and'), $j));
}
$after = rss();
printf("  rule cache with ~50 KiB rules: RSS +%.2f MiB further\n", ($after - $before) / 1048576);
