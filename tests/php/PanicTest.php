<?php

declare(strict_types=1);

use PHPUnit\Framework\TestCase;

/**
 * Runs only against the test build (`--features panic-test`), which adds
 * taggate_panic_for_tests(): a Rust panic inside an exported function must
 * reach PHP as a TagGate\Exception, and the script goes on.
 */
final class PanicTest extends TestCase
{
    public function testPanicBecomesAnExceptionAndTheScriptGoesOn(): void
    {
        self::assertTrue(
            function_exists('taggate_panic_for_tests'),
            'run this suite against the panic-test build (scripts/test.sh does)'
        );
        for ($i = 0; $i < 3; $i++) {
            try {
                taggate_panic_for_tests('secret-ish payload ' . $i);
                self::fail('no exception');
            } catch (\TagGate\Exception $e) {
                self::assertStringContainsString('internal error', $e->getMessage());
                self::assertStringNotContainsString('secret-ish', $e->getMessage());
            }
        }
        // The extension still works after the panics.
        self::assertTrue(taggate_evaluate('a', ['a']));
    }
}
