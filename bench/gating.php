<?php
/**
 * The gating benchmark's driver (run by bench/gating.sh): the archive page of
 * 50 protected posts, as a logged-in user holding 200 tags, timed with the
 * TagGate plugin loaded and not loaded, request after request in the same
 * run (the order alternates every round, so drift and warm-up hit both
 * alike). The % added is the median of the rounds' paired differences (each
 * round's two requests ran back to back, so this is the figure least moved
 * by other load on the machine) over the inactive median; the difference of
 * the medians and of the trimmed means, and PHP's CPU time, are printed too.
 *
 * Usage: php bench/gating.php <base url> <token> <seed json> [rounds]
 */

declare(strict_types=1);

[$self, $base, $token, $seedJson] = array_pad($argv, 4, '');
$rounds = (int) ($argv[4] ?? getenv('BENCH_ROUNDS') ?: 1000);
$seed = json_decode($seedJson, true);
if (!$base || !$token || !is_array($seed)) {
    fwrite(STDERR, "usage: php bench/gating.php <base url> <token> <seed json> [rounds]\n");
    exit(2);
}

function request(string $url, array $headers, ?string $post = null): array
{
    $ch = curl_init($url);
    $lines = [];
    foreach ($headers as $k => $v) {
        $lines[] = "$k: $v";
    }
    curl_setopt_array($ch, [
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HEADER => true,
        CURLOPT_HTTPHEADER => $lines,
        CURLOPT_FOLLOWLOCATION => false,
        CURLOPT_TIMEOUT => 60,
    ]);
    if ($post !== null) {
        curl_setopt($ch, CURLOPT_POST, true);
        curl_setopt($ch, CURLOPT_POSTFIELDS, $post);
    }
    $raw = (string) curl_exec($ch);
    $size = (int) curl_getinfo($ch, CURLINFO_HEADER_SIZE);
    $out = [
        'status' => (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE),
        'head' => substr($raw, 0, $size),
        'body' => substr($raw, $size),
        'seconds' => (float) curl_getinfo($ch, CURLINFO_TOTAL_TIME),
    ];
    curl_close($ch);
    return $out;
}

function login(string $base, string $user, string $pass): string
{
    $r = request("$base/wp-login.php", ['Cookie' => 'wordpress_test_cookie=WP%20Cookie%20check', 'Content-Type' => 'application/x-www-form-urlencoded'],
        http_build_query(['log' => $user, 'pwd' => $pass, 'testcookie' => '1', 'redirect_to' => "$base/wp-admin/"]));
    preg_match_all('/^Set-Cookie:\s*([^=;]+)=([^;]*)/mi', $r['head'], $m, PREG_SET_ORDER);
    $cookies = [];
    foreach ($m as $c) {
        if ($c[2] !== 'deleted') {
            $cookies[$c[1]] = $c[2];
        }
    }
    if (!array_filter(array_keys($cookies), fn ($k) => str_starts_with($k, 'wordpress_logged_in_'))) {
        fwrite(STDERR, "login as $user failed (HTTP {$r['status']})\n");
        exit(1);
    }
    return implode('; ', array_map(fn ($k, $v) => "$k=$v", array_keys($cookies), $cookies));
}

function stats(array $xs): array
{
    sort($xs);
    $n = count($xs);
    $trim = (int) floor($n * 0.1);
    $core = array_slice($xs, $trim, $n - 2 * $trim);
    return [
        'median' => $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2,
        'tmean' => array_sum($core) / count($core),
        'p90' => $xs[(int) floor(($n - 1) * 0.9)],
    ];
}

/** Times the page for one session, both modes interleaved. */
function measure(string $base, string $path, string $token, string $cookie, int $rounds, string $expect): array
{
    $times = ['on' => [], 'off' => []];
    $cpu = ['on' => [], 'off' => []];
    $check = function (array $r, string $mode) use ($expect) {
        if ($r['status'] !== 200) {
            throw new RuntimeException("HTTP {$r['status']} in mode $mode");
        }
        $want = $mode === 'on' ? 'on+loaded' : 'off+absent';
        if (!preg_match('/^X-TagGate-Bench-Mode:\s*' . preg_quote($want, '/') . '\s*$/mi', $r['head'])) {
            throw new RuntimeException("the switch did not take effect (mode $mode)");
        }
        $posts = substr_count($r['body'], 'Bench lesson ');
        if ($posts < 50) {
            throw new RuntimeException("only $posts posts listed (mode $mode)");
        }
        if ($expect !== '' && $mode === 'on' && substr_count($r['body'], $expect) < 1) {
            throw new RuntimeException("mode on: expected '$expect' in the page");
        }
        return $r['body'];
    };
    $get = fn (string $mode) => request($base . $path, ['X-TagGate-Bench' => "$token:$mode"] + ($cookie !== '' ? ['Cookie' => $cookie] : []));
    // Warm-up (opcache, buffer pool), and the checks.
    for ($i = 0; $i < 15; $i++) {
        $check($get('on'), 'on');
        $check($get('off'), 'off');
    }
    for ($i = 0; $i < $rounds; $i++) {
        $order = $i % 2 ? ['off', 'on'] : ['on', 'off'];
        foreach ($order as $mode) {
            $r = $get($mode);
            if ($r['status'] !== 200) {
                throw new RuntimeException("HTTP {$r['status']} in mode $mode");
            }
            $times[$mode][] = $r['seconds'] * 1000;
            if (preg_match('/<!-- taggate-bench cpu_us=(\d+) -->\s*$/', $r['body'], $m)) {
                $cpu[$mode][] = (int) $m[1] / 1000;
            }
        }
    }
    $out = ['on' => stats($times['on']), 'off' => stats($times['off'])];
    // Each round's two requests ran back to back: their difference is the
    // least disturbed by drift in the machine's load.
    $pairs = array_map(fn ($a, $b) => $a - $b, $times['on'], $times['off']);
    $out['paired'] = stats($pairs)['median'];
    if (count($cpu['on']) === $rounds && count($cpu['off']) === $rounds) {
        $out['cpu'] = ['on' => stats($cpu['on']), 'off' => stats($cpu['off'])];
    }
    return $out;
}

function report(string $label, array $s): float
{
    $added = ($s['on']['median'] - $s['off']['median']) / $s['off']['median'] * 100;
    $paired = $s['paired'] / $s['off']['median'] * 100;
    $addedMean = ($s['on']['tmean'] - $s['off']['tmean']) / $s['off']['tmean'] * 100;
    printf("%-44s plugin inactive: median %7.2f ms (trimmed mean %7.2f, p90 %7.2f)\n", $label, $s['off']['median'], $s['off']['tmean'], $s['off']['p90']);
    printf("%-44s plugin active:   median %7.2f ms (trimmed mean %7.2f, p90 %7.2f)\n", '', $s['on']['median'], $s['on']['tmean'], $s['on']['p90']);
    printf("%-44s added: %+.2f %% (%+.2f ms: median of the rounds' paired differences)\n", '', $paired, $s['paired']);
    printf("%-44s        %+.2f %% (difference of the medians), %+.2f %% (of the trimmed means)\n", '', $added, $addedMean);
    if (isset($s['cpu'])) {
        $c = $s['cpu'];
        printf("%-44s PHP CPU time: inactive %.2f ms, active %.2f ms (medians): %+.2f %%\n", '', $c['off']['median'], $c['on']['median'], ($c['on']['median'] - $c['off']['median']) / $c['off']['median'] * 100);
    }
    return $paired;
}

$path = $seed['archive'];
printf("TagGate gating benchmark: %s%s, 50 protected posts, %d interleaved rounds per case\n\n", $base, $path, $rounds);

$member = $seed['users']['member'];
$cookie = login($base, $member['login'], $member['password']);
$main = measure($base, $path, $token, $cookie, $rounds, 'Lesson text for the benchmark');
$added = report("member with {$member['tags']} tags (passes all 50)", $main);

if (!getenv('BENCH_ONLY_MAIN')) {
    $half = $seed['users']['half'];
    echo "\n";
    report("member with {$half['tags']} tags (passes some)", measure($base, $path, $token, login($base, $half['login'], $half['password']), max(50, intdiv($rounds, 3)), ''));
    echo "\n";
    report('visitor (denied all 50)', measure($base, $path, $token, '', max(50, intdiv($rounds, 3)), 'members only'));
}

printf("\nbudget: <= 2 %% added for the member with 200 tags (median of the paired differences): %s\n", $added <= 2.0 ? 'MET' : 'NOT MET');
exit($added <= 2.0 ? 0 : 1);
