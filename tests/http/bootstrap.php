<?php
/**
 * Bootstrap of the HTTP tests (tests/http/phpunit.xml). Run under
 * `php -d extension=target/release/libtaggate.so` against a running stack
 * (`scripts/stack.sh up --test`; scripts/test-plugin.sh does all of it).
 */

declare(strict_types=1);

require __DIR__ . '/support/Stack.php';
require __DIR__ . '/support/Response.php';
require __DIR__ . '/support/Http.php';
require __DIR__ . '/support/Db.php';
require __DIR__ . '/support/Wp.php';
require __DIR__ . '/support/Signer.php';
require __DIR__ . '/support/TestCase.php';
foreach (glob(__DIR__ . '/support/*.php') as $taggate_support_file) {
    require_once $taggate_support_file;
}

if (!extension_loaded('taggate')) {
    fwrite(STDERR, "The HTTP tests sign with the taggate extension: run them with php -d extension=…/libtaggate.so\n");
    exit(2);
}

try {
    $taggate_probe = \TagGate\Tests\Http\Http::get(\TagGate\Tests\Http\Stack::url('/wp-json/'));
} catch (\Throwable $e) {
    fwrite(STDERR, 'The stack is not answering (' . $e->getMessage() . "): run scripts/stack.sh up --test first.\n");
    exit(2);
}
