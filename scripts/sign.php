<?php
/**
 * Signs a webhook body at the moment it runs, with the extension's own
 * TagGate\Webhook::sign, and prints the headers as a curl config, so a
 * pasted command never goes stale:
 *
 *   BODY='{"command":"ping"}'
 *   curl -sS -H 'Content-Type: application/json' \
 *     -K <(TAGGATE_WEBHOOK_SECRET='whsec_…' php -d extension=/…/libtaggate.so scripts/sign.php "$BODY") \
 *     --data-raw "$BODY" http://127.0.0.1:8080/wp-json/taggate/v1/webhook
 *
 * Usage: php -d extension=… scripts/sign.php BODY [scheme] [--plain]
 *   The secret comes from $TAGGATE_WEBHOOK_SECRET. scheme defaults to
 *   $TAGGATE_WEBHOOK_SCHEME or `standard`. --plain prints "Name: value" lines.
 */

if (PHP_SAPI !== 'cli') {
    exit(1);
}
if (!extension_loaded('taggate')) {
    fwrite(STDERR, "sign.php: load the extension: php -d extension=/path/to/libtaggate.so scripts/sign.php …\n");
    exit(2);
}
$args = array_slice($argv, 1);
$plain = in_array('--plain', $args, true);
$args = array_values(array_filter($args, fn ($a) => $a !== '--plain'));
if (count($args) < 1) {
    fwrite(STDERR, "usage: php -d extension=… scripts/sign.php BODY [scheme] [--plain]\n");
    exit(2);
}
$secret = getenv('TAGGATE_WEBHOOK_SECRET');
if ($secret === false || $secret === '') {
    fwrite(STDERR, "sign.php: set TAGGATE_WEBHOOK_SECRET\n");
    exit(2);
}
$scheme = $args[1] ?? (getenv('TAGGATE_WEBHOOK_SCHEME') ?: 'standard');
$headers = (new TagGate\Webhook($scheme, $secret))->sign($args[0]);
foreach ($headers as $name => $value) {
    echo $plain ? "$name: $value\n" : 'header = "' . addcslashes("$name: $value", "\"\\") . "\"\n";
}
