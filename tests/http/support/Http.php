<?php
/**
 * A small curl client: one request, or many at once through curl_multi with
 * a bounded number in flight.
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class Http
{
    /**
     * @param array<string,string>|string[] $headers name => value, or "Name: value" lines
     * @param array<int,mixed> $curl extra curl options
     */
    public static function request(string $method, string $url, array $headers = [], ?string $body = null, array $curl = []): Response
    {
        $ch = self::handle($method, $url, $headers, $body, $curl);
        $raw = curl_exec($ch);
        if ($raw === false) {
            $err = curl_error($ch);
            curl_close($ch);
            throw new \RuntimeException("HTTP $method $url failed: $err");
        }
        $res = self::response($ch, (string) $raw);
        curl_close($ch);
        return $res;
    }

    public static function get(string $url, array $headers = [], array $curl = []): Response
    {
        return self::request('GET', $url, $headers, null, $curl);
    }

    public static function post(string $url, string $body, array $headers = [], array $curl = []): Response
    {
        return self::request('POST', $url, $headers, $body, $curl);
    }

    /**
     * Runs requests concurrently, at most $concurrency in flight.
     *
     * @param array<int,array{method:string,url:string,headers?:array,body?:?string,curl?:array}> $requests
     * @return Response[] in the order of $requests
     */
    public static function multi(array $requests, int $concurrency = 32): array
    {
        $mh = curl_multi_init();
        $results = [];
        $active = [];
        $queue = array_keys($requests);
        $add = function () use (&$queue, &$active, $requests, $mh): void {
            $i = array_shift($queue);
            $r = $requests[$i];
            $ch = self::handle($r['method'], $r['url'], $r['headers'] ?? [], $r['body'] ?? null, $r['curl'] ?? []);
            curl_multi_add_handle($mh, $ch);
            $active[(int) spl_object_id($ch)] = [$i, $ch];
        };
        while ($queue && count($active) < $concurrency) {
            $add();
        }
        do {
            $status = curl_multi_exec($mh, $running);
            if ($status !== CURLM_OK) {
                throw new \RuntimeException('curl_multi_exec failed: ' . $status);
            }
            while ($info = curl_multi_info_read($mh)) {
                $ch = $info['handle'];
                [$i] = $active[(int) spl_object_id($ch)];
                unset($active[(int) spl_object_id($ch)]);
                if ($info['result'] !== CURLE_OK) {
                    $results[$i] = new Response(0, [], 'curl error: ' . curl_error($ch), 0.0);
                } else {
                    $results[$i] = self::response($ch, (string) curl_multi_getcontent($ch));
                }
                curl_multi_remove_handle($mh, $ch);
                curl_close($ch);
                if ($queue) {
                    $add();
                }
            }
            if ($running || $active) {
                curl_multi_select($mh, 0.05);
            }
        } while ($running || $active || $queue);
        curl_multi_close($mh);
        ksort($results);
        return $results;
    }

    private static function handle(string $method, string $url, array $headers, ?string $body, array $curl): \CurlHandle
    {
        $lines = [];
        foreach ($headers as $k => $v) {
            $lines[] = is_int($k) ? $v : "$k: $v";
        }
        // Never send "Expect: 100-continue": answer timing must not depend on it.
        $lines[] = 'Expect:';
        $ch = curl_init($url);
        $opts = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HEADER => true,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT => 120,
            CURLOPT_CONNECTTIMEOUT => 10,
        ];
        if ($body !== null) {
            $opts[CURLOPT_POSTFIELDS] = $body;
        }
        if ($method === 'HEAD') {
            $opts[CURLOPT_NOBODY] = true;
        }
        curl_setopt_array($ch, $curl + $opts);
        return $ch;
    }

    private static function response(\CurlHandle $ch, string $raw): Response
    {
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $headerSize = (int) curl_getinfo($ch, CURLINFO_HEADER_SIZE);
        $head = substr($raw, 0, $headerSize);
        $body = (string) substr($raw, $headerSize);
        $headers = [];
        // Keep the last header block (after any 100 Continue).
        $blocks = preg_split("/\r\n\r\n(?=HTTP\/)/", trim($head));
        $last = end($blocks);
        foreach (explode("\r\n", (string) $last) as $line) {
            if (strpos($line, ':') !== false) {
                [$n, $v] = explode(':', $line, 2);
                $headers[strtolower(trim($n))][] = trim($v);
            }
        }
        return new Response($status, $headers, $body, (float) curl_getinfo($ch, CURLINFO_TOTAL_TIME));
    }
}
