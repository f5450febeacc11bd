<?php
/**
 * Benchmark: signed tags.add deliveries through nginx and PHP-FPM from 32
 * concurrent senders (curl_multi), then a check that no change was lost.
 * Budget (SPEC §7): ≥ 100 deliveries/s, p99 ≤ 600 ms, nothing lost.
 *
 *   bench/deliveries.sh [--n=3000] [--concurrency=32] [--users=32] [--warmup=200] [--json]
 *
 * --users=32 (default) spreads the deliveries over 32 users, one per sender
 * on average; --users=1 sends every delivery for one user (the worst case:
 * all of them queue on that user's row lock, and that user ends with
 * thousands of tags).
 * Prints deliveries per second, p50/p90/p99/max latency, and exits non-zero
 * when a delivery failed or a tag is missing.
 */

declare(strict_types=1);

require __DIR__ . '/../tests/http/support/Stack.php';
require __DIR__ . '/../tests/http/support/Response.php';
require __DIR__ . '/../tests/http/support/Http.php';
require __DIR__ . '/../tests/http/support/Db.php';

use TagGate\Tests\Http\Db;
use TagGate\Tests\Http\Http;
use TagGate\Tests\Http\Response;
use TagGate\Tests\Http\Stack;

if (!extension_loaded('taggate')) {
    fwrite(STDERR, "run with php -d extension=…/libtaggate.so\n");
    exit(2);
}
$opt = getopt('', ['n::', 'concurrency::', 'users::', 'warmup::', 'json']);
$n = (int) ($opt['n'] ?? 3000);
$concurrency = (int) ($opt['concurrency'] ?? 32);
$userCount = max(1, (int) ($opt['users'] ?? 32));
$warmup = (int) ($opt['warmup'] ?? 200);

$url = Stack::url('/wp-json/taggate/v1/webhook');
$signer = new TagGate\Webhook('standard', Stack::get('TAGGATE_WEBHOOK_SECRET'));
$run = bin2hex(random_bytes(4));

$request = function (array $command) use ($signer, $url): array {
    $body = json_encode($command, JSON_UNESCAPED_SLASHES);
    $headers = $signer->sign($body);
    $headers['Content-Type'] = 'application/json';
    return ['method' => 'POST', 'url' => $url, 'headers' => $headers, 'body' => $body];
};

// Users (created through the webhook itself).
$emails = [];
for ($u = 0; $u < $userCount; $u++) {
    $emails[] = "bench-$run-$u@example.test";
}
$created = Http::multi(array_map(fn ($e) => $request(['command' => 'tags.add', 'contact' => ['email' => $e], 'tags' => ['bench'], 'create' => true]), $emails), $concurrency);
foreach ($created as $r) {
    if ($r->status !== 200) {
        fwrite(STDERR, "could not create bench users: {$r->status} {$r->body}\n");
        exit(1);
    }
}

// Warm-up (opcache, buffer pool, FPM workers), not measured.
$warm = [];
for ($i = 0; $i < $warmup; $i++) {
    $warm[] = $request(['command' => 'tags.add', 'contact' => ['email' => $emails[$i % $userCount]], 'tags' => ["warm-$i"]]);
}
Http::multi($warm, $concurrency);

// The measured run: pre-signed, so only the server's work is timed.
$requests = [];
for ($i = 0; $i < $n; $i++) {
    $requests[] = $request(['command' => 'tags.add', 'contact' => ['email' => $emails[$i % $userCount]], 'tags' => ["t-$i"]]);
}
$t0 = microtime(true);
$responses = Http::multi($requests, $concurrency);
$wall = microtime(true) - $t0;

$lat = array_map(fn (Response $r) => $r->seconds * 1000, $responses);
sort($lat);
$pct = fn (float $p) => $lat[min(count($lat) - 1, (int) ceil($p / 100 * count($lat)) - 1)];
$errors = array_filter($responses, fn (Response $r) => $r->status !== 200 || !str_contains($r->body, '"ok":true'));

// Nothing lost: every tag of the run is in the database.
$missing = 0;
foreach ($emails as $u => $email) {
    $tags = Db::tags($email);
    for ($i = $u; $i < $n; $i += $userCount) {
        if (!isset($tags["t-$i"])) {
            $missing++;
        }
    }
}

$result = [
    'deliveries' => $n,
    'concurrency' => $concurrency,
    'users' => $userCount,
    'seconds' => round($wall, 3),
    'per_second' => round($n / $wall, 1),
    'p50_ms' => round($pct(50), 1),
    'p90_ms' => round($pct(90), 1),
    'p99_ms' => round($pct(99), 1),
    'max_ms' => round(end($lat), 1),
    'errors' => count($errors),
    'lost' => $missing,
];
if (isset($opt['json'])) {
    echo json_encode($result), "\n";
} else {
    printf("%d signed tags.add deliveries, %d concurrent senders, %d user(s)\n", $n, $concurrency, $userCount);
    printf("throughput: %.1f deliveries/s (%.2f s)\n", $result['per_second'], $wall);
    printf("latency:    p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms\n", $result['p50_ms'], $result['p90_ms'], $result['p99_ms'], $result['max_ms']);
    printf("errors:     %d   lost changes: %d\n", $result['errors'], $missing);
    printf("budget:     >= 100/s %s, p99 <= 600 ms %s, none lost %s\n",
        $result['per_second'] >= 100 ? 'OK' : 'MISSED', $result['p99_ms'] <= 600 ? 'OK' : 'MISSED', ($missing === 0 && !$errors) ? 'OK' : 'MISSED');
}
foreach (array_slice($errors, 0, 3) as $r) {
    fwrite(STDERR, "error: {$r->status} " . substr($r->body, 0, 300) . "\n");
}
exit(($errors || $missing) ? 1 : 0);
