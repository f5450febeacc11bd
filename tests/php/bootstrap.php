<?php
/**
 * Bootstrap of the extension's PHPUnit suite: the extension must be loaded
 * (this suite tests the built .so, never a PHP stand-in), and the shared
 * conformance vectors are read in place from ../shared/vectors.
 */

declare(strict_types=1);

if (!extension_loaded('taggate')) {
    fwrite(STDERR, "The taggate extension is not loaded: run with php -d extension=target/release/libtaggate.so\n");
    exit(1);
}

define('TAGGATE_REPO', dirname(__DIR__, 2));
define('TAGGATE_VECTORS', getenv('TAGGATE_VECTORS') ?: dirname(TAGGATE_REPO) . '/shared/vectors');

if (!is_file(TAGGATE_VECTORS . '/rules.json')) {
    fwrite(STDERR, 'Conformance vectors not found in ' . TAGGATE_VECTORS . "\n");
    exit(1);
}

/**
 * Decodes one vector file.
 *
 * @return list<array<string, mixed>>
 */
function taggate_vectors(string $file): array
{
    $json = file_get_contents(TAGGATE_VECTORS . '/' . $file);
    return json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR);
}
