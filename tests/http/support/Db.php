<?php
/**
 * Read-mostly access to the stack's database, to check state after HTTP
 * calls (the plugin itself is only ever driven over HTTP).
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class Db
{
    private static ?\mysqli $link = null;

    public static function link(): \mysqli
    {
        if (self::$link === null) {
            mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
            $link = new \mysqli('localhost', Stack::get('TAGGATE_DB_USER'), Stack::get('TAGGATE_DB_PASSWORD'), Stack::get('TAGGATE_DB_NAME'), 0, Stack::get('TAGGATE_DB_SOCKET'));
            $link->set_charset('utf8mb4');
            self::$link = $link;
        }
        return self::$link;
    }

    public static function prefix(): string
    {
        return Stack::env()['TAGGATE_DB_PREFIX'] ?? 'wp_';
    }

    /** @return array<int,array<string,mixed>> */
    public static function rows(string $sql, array $params = []): array
    {
        $stmt = self::link()->prepare($sql);
        if ($params) {
            $stmt->bind_param(str_repeat('s', count($params)), ...array_map('strval', $params));
        }
        $stmt->execute();
        $res = $stmt->get_result();
        $rows = $res ? $res->fetch_all(MYSQLI_ASSOC) : [];
        $stmt->close();
        return $rows;
    }

    public static function value(string $sql, array $params = []): mixed
    {
        $rows = self::rows($sql, $params);
        return $rows ? reset($rows[0]) : null;
    }

    public static function exec(string $sql, array $params = []): int
    {
        $stmt = self::link()->prepare($sql);
        if ($params) {
            $stmt->bind_param(str_repeat('s', count($params)), ...array_map('strval', $params));
        }
        $stmt->execute();
        $n = $stmt->affected_rows;
        $stmt->close();
        return $n;
    }

    public static function userId(string $email): ?int
    {
        $id = self::value('SELECT ID FROM ' . self::prefix() . 'users WHERE user_email = ?', [$email]);
        return $id === null ? null : (int) $id;
    }

    public static function countUsers(string $email): int
    {
        return (int) self::value('SELECT COUNT(*) FROM ' . self::prefix() . 'users WHERE user_email = ?', [$email]);
    }

    /** @return array<string,int> tag => applied_at of a user, by e-mail ([] when no such user). */
    public static function tags(string $email): array
    {
        $id = self::userId($email);
        if ($id === null) {
            return [];
        }
        $out = [];
        foreach (self::rows('SELECT tag, applied_at FROM ' . self::prefix() . 'taggate_tags WHERE user_id = ? ORDER BY applied_at, seq', [$id]) as $r) {
            $out[$r['tag']] = (int) $r['applied_at'];
        }
        return $out;
    }

    /** @return string[] roles of a user (from the capabilities meta). */
    public static function roles(string $email): array
    {
        $id = self::userId($email);
        if ($id === null) {
            return [];
        }
        $caps = self::value('SELECT meta_value FROM ' . self::prefix() . 'usermeta WHERE user_id = ? AND meta_key = ?', [$id, self::prefix() . 'capabilities']);
        $caps = $caps ? unserialize((string) $caps, ['allowed_classes' => false]) : [];
        return array_keys(array_filter((array) $caps));
    }

    public static function userMeta(string $email, string $key): ?string
    {
        $id = self::userId($email);
        if ($id === null) {
            return null;
        }
        $v = self::value('SELECT meta_value FROM ' . self::prefix() . 'usermeta WHERE user_id = ? AND meta_key = ?', [$id, $key]);
        return $v === null ? null : (string) $v;
    }

    /** Latest delivery-log rows. */
    public static function deliveries(int $limit = 5): array
    {
        return self::rows('SELECT *, HEX(delivery_key) AS delivery_key_hex FROM ' . self::prefix() . 'taggate_deliveries ORDER BY id DESC LIMIT ' . (int) $limit);
    }
}
