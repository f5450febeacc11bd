<?php

declare(strict_types=1);

namespace TagGate\Tests\Http;

/** One HTTP answer. */
final class Response
{
    /** @param array<string,string[]> $headers lower-case name => values */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
        public readonly float $seconds = 0.0,
    ) {
    }

    /** Decoded JSON body (assoc arrays); fails the test when it is not JSON. */
    public function json(): array
    {
        $data = json_decode($this->body, true);
        if (!is_array($data)) {
            throw new \RuntimeException("not a JSON answer (HTTP {$this->status}): " . substr($this->body, 0, 500));
        }
        return $data;
    }

    /** Decoded JSON keeping objects as stdClass (to tell {} from []). */
    public function jsonObject(): mixed
    {
        return json_decode($this->body, false);
    }

    public function header(string $name): ?string
    {
        $values = $this->headers[strtolower($name)] ?? [];
        return $values ? $values[count($values) - 1] : null;
    }

    /** @return string[] */
    public function headerAll(string $name): array
    {
        return $this->headers[strtolower($name)] ?? [];
    }
}
