<?php
/**
 * A tour of the taggate extension's API.
 *
 *   php -d extension=target/release/libtaggate.so php/examples/quickstart.php
 */

declare(strict_types=1);

use TagGate\Command;
use TagGate\CommandException;
use TagGate\Rule;
use TagGate\RuleSyntaxException;
use TagGate\SignatureException;
use TagGate\TagSet;
use TagGate\Webhook;

$now = time();
$tags = new TagSet(['Course A' => $now - 10 * 86400, 'VIP' => null]);

// AccessAlly: any of these, none of those. WP Fusion: all of. A drip module.
foreach (['any("Course A", vip) and none(refunded, revoked)', 'all(vip, member)', '"course a" for 7d'] as $src) {
    $rule = Rule::compile($src);
    printf("%-50s %s\n", (string) $rule, $rule->matches($tags) ? 'passes' : 'does not pass');
}

// Many rules (one per post, say) in one call.
var_dump(taggate_filter(['lesson-1' => '"course a"', 'lesson-2' => '"course a" for 30d'], $tags));

try {
    Rule::compile('(vip or member');
} catch (RuleSyntaxException $e) {
    echo 'RuleSyntaxException: ', $e->getMessage(), "\n";
}

// Signing and verifying a webhook delivery (Standard Webhooks).
$hook = new Webhook('standard', 'whsec_' . base64_encode(random_bytes(32)));
$body = '{"command":"tags.add","contact":{"email":"ana@example.com"},"tags":["Course B"]}';
$headers = $hook->sign($body);
echo 'verified delivery ', $hook->verify($headers, $body), "\n";
try {
    $hook->verify($headers, $body . ' ');
} catch (SignatureException $e) {
    echo 'SignatureException #', $e->getCode(), ': ', $e->getMessage(), "\n";
}

// Validating the command it carries.
print_r(Command::parse($body));
try {
    Command::parse('{"command":"tags.add","contact":{"email":"ana@example.com"},"tags":["ok", 42]}');
} catch (CommandException $e) {
    echo 'CommandException: ', $e->getMessage(), "\n";
}
print_r(taggate_cache_stats());
