<?php
/**
 * Set-up steps through scripts/stack.sh wp (scripts/stack-wp.php): users
 * with roles, settings. Only for arranging a test; the assertions are made
 * over HTTP and on the database.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class Wp
{
    /** Runs a helper command; returns its decoded JSON. */
    public static function run(string ...$args): mixed
    {
        $cmd = 'bash ' . escapeshellarg(Stack::root() . '/scripts/stack.sh') . ' wp ' . implode(' ', array_map('escapeshellarg', $args)) . ' 2>&1';
        exec($cmd, $out, $rc);
        $text = implode("\n", $out);
        if ($rc !== 0) {
            throw new \RuntimeException("stack.sh wp {$args[0]} failed ($rc): $text");
        }
        $start = strpos($text, '{');
        $decoded = $start === false ? null : json_decode(substr($text, $start), true);
        return $decoded;
    }

    public static function settings(array $values): void
    {
        self::run('settings-set', json_encode($values, JSON_UNESCAPED_SLASHES));
    }

    public static function ensureUser(string $login, string $email, string $role, string $first = '', string $last = ''): int
    {
        return (int) self::run('user-ensure', $login, $email, $role, $first, $last)['id'];
    }
}
