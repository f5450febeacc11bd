<?php
/**
 * The running stack's coordinates, from the environment that
 * `eval "$(scripts/stack.sh env)"` exports (or from `stack.sh env` itself).
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class Stack
{
    /** @var array<string,string>|null */
    private static ?array $env = null;

    public static function get(string $name): string
    {
        $env = self::env();
        if (!isset($env[$name])) {
            throw new \RuntimeException("stack variable $name is not set");
        }
        return $env[$name];
    }

    public static function root(): string
    {
        return dirname(__DIR__, 3);
    }

    public static function url(string $path = ''): string
    {
        return self::get('TAGGATE_URL') . $path;
    }

    public static function urlNoExt(string $path = ''): string
    {
        return self::get('TAGGATE_URL_NOEXT') . $path;
    }

    /** @return array<string,string> */
    public static function env(): array
    {
        if (self::$env !== null) {
            return self::$env;
        }
        $env = [];
        if (getenv('TAGGATE_URL') === false) {
            $out = shell_exec('bash ' . escapeshellarg(self::root() . '/scripts/stack.sh') . ' env 2>/dev/null');
            foreach (explode("\n", (string) $out) as $line) {
                if (preg_match("/^export (TAGGATE_[A-Z0-9_]+)='(.*)'$/", $line, $m)) {
                    $env[$m[1]] = $m[2];
                }
            }
        }
        foreach (getenv() as $k => $v) {
            if (strncmp($k, 'TAGGATE_', 8) === 0) {
                $env[$k] = $v;
            }
        }
        return self::$env = $env;
    }
}
