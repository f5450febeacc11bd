<?php

// Stubs for taggate

namespace TagGate {
    /**
     * Validation of webhook commands (SPEC §5).
     */
    class Command {
        public function __construct() {}

        /**
         * Validates a webhook command and returns it normalised: defaults filled
         * in, the e-mail trimmed, `crm_id` as a string, `tags` de-duplicated by
         * key in first spelling.
         *
         * @throws \TagGate\CommandException "<JSON pointer>: <problem>"
         *
         * @param string $json
         * @return mixed
         */
        public static function parse(string $json): mixed {}
    }

    /**
     * `TagGate\CommandException`: a webhook command is invalid. The message is
     * `<JSON pointer>: <problem>`.
     */
    class CommandException extends \TagGate\Exception {
        public function __construct() {}
    }

    /**
     * `TagGate\Exception`: the base of every exception the extension throws
     * of its own (wrong types and values are PHP's `\TypeError`/`\ValueError`).
     */
    class Exception extends \Exception {
        public function __construct() {}
    }

    /**
     * A compiled tag rule (SPEC §2). Obtain one with `Rule::compile()`.
     */
    class Rule {
        public function __construct() {}

        /**
         * The rule in canonical form (SPEC §2).
         *
         * @return string
         */
        public function __toString(): string {}

        /**
         * Compiles (and caches, by exact source text) a rule.
         *
         * @throws \TagGate\RuleSyntaxException
         *
         * @param string $source
         * @return \TagGate\Rule
         */
        public static function compile(string $source): \TagGate\Rule {}

        /**
         * True when the tags pass the rule at `$now` (default `time()`).
         * `$tags` is a `TagSet` or an array: `['vip', 'Course A']` or
         * `['vip' => 1764000000, 'trial' => null]`.
         *
         * @param \TagGate\TagSet|array $tags
         * @throws \TypeError on a value that is neither
         *
         * @param mixed $tags
         * @param int|null $now
         * @return bool
         */
        public function matches(mixed $tags, ?int $now = null): bool {}

        /**
         * The distinct tags the rule names (by key), first spelling, in order of
         * first appearance.
         *
         * @return array
         */
        public function tags(): array {}
    }

    /**
     * `TagGate\RuleSyntaxException`: a rule failed to compile. The message ends
     * with `at line L, column C`.
     */
    class RuleSyntaxException extends \TagGate\Exception {
        public function __construct() {}
    }

    /**
     * `TagGate\SignatureException`: a delivery's signature did not verify;
     * `getCode()` is one of the constants.
     */
    class SignatureException extends \TagGate\Exception {
        /**
         * A header is present but malformed (bad timestamp, bad `t=` list).
         */
        public const MALFORMED_HEADER = 2;

        /**
         * A header the scheme needs is missing.
         */
        public const MISSING_HEADER = 1;

        /**
         * No signature matches any secret.
         */
        public const NO_MATCHING_SIGNATURE = 4;

        /**
         * The timestamp is outside the tolerance window.
         */
        public const TIMESTAMP_OUT_OF_TOLERANCE = 3;

        public function __construct() {}
    }

    /**
     * A set of tags, each with the time it was applied (Unix seconds) when
     * known. Tags are compared by key (SPEC §1): `VIP`, ` vip ` and `Vip` are one
     * tag; the first spelling is kept.
     */
    class TagSet implements \Countable {
        /**
         * Builds a set from `['vip', 'Course A']` (no known times) and/or
         * `['vip' => 1764000000, 'trial' => null]`.
         *
         * @throws \ValueError on a tag that breaks SPEC §1
         * @throws \TypeError on an entry of another type
         *
         * @param array|null $tags
         */
        public function __construct(?array $tags = null) {}

        /**
         * Adds a tag. Re-adding keeps the first spelling and updates the time
         * when one is given.
         *
         * @throws \ValueError on a tag that breaks SPEC §1
         *
         * @param string $tag
         * @param int|null $applied_at
         * @return void
         */
        public function add(string $tag, ?int $applied_at = null): void {}

        /**
         * The time the tag was applied; null when it is not held or its time is
         * unknown.
         *
         * @param string $tag
         * @return int|null
         */
        public function appliedAt(string $tag): ?int {}

        /**
         * The number of distinct tags.
         *
         * @return int
         */
        public function count(): int {}

        /**
         * True when the set holds the tag (by key). An invalid tag is never held.
         *
         * @param string $tag
         * @return bool
         */
        public function has(string $tag): bool {}

        /**
         * Removes a tag; true when it was held.
         *
         * @param string $tag
         * @return bool
         */
        public function remove(string $tag): bool {}

        /**
         * `array<string, ?int>`: first spellings => applied time, in insertion
         * order. (A tag such as `"555"` becomes the int key 555, as in any PHP
         * array.)
         *
         * @return array
         */
        public function toArray(): array {}
    }

    /**
     * Verifies and signs webhook deliveries for one scheme (SPEC §4).
     */
    class Webhook {
        /**
         * `$scheme`: `standard`, `stripe`, `kit`, `github`, `shopify` or
         * `hubspot-v3`. `$secrets`: one secret, or several during a rotation (any
         * may match; the first signs).
         *
         * @param string|array $secrets
         * @throws \ValueError for an unknown scheme, an empty secret list, or a malformed secret
         *
         * @param string $scheme
         * @param mixed $secrets
         * @param int $tolerance_seconds
         */
        public function __construct(string $scheme, mixed $secrets, int $tolerance_seconds = 300) {}

        /**
         * The headers (name => value) that sign `$body` with the first secret.
         * `$timestamp` defaults to now; `$id` (for `standard`) to a fresh `msg_…`.
         *
         * @param string $body
         * @param string|null $id
         * @param int|null $timestamp
         * @param string $method
         * @param string $url
         * @return array
         */
        public function sign(string $body, ?string $id = null, ?int $timestamp = null, string $method = 'POST', string $url = ''): array {}

        /**
         * Verifies one delivery and returns its id ('' where the scheme and
         * headers carry none). Header names are matched case-insensitively; a
         * value may be a string or a list of strings.
         *
         * @throws \TagGate\SignatureException
         *
         * @param array $headers
         * @param string $body
         * @param int|null $now
         * @param string $method
         * @param string $url
         * @return string
         */
        public function verify(array $headers, string $body, ?int $now = null, string $method = 'POST', string $url = ''): string {}
    }
}

namespace {
    /**
     * `['hits' => int, 'misses' => int, 'size' => int, 'capacity' => int]` of
     * this process's compiled-rule cache.
     *
     * @return array
     */
    function taggate_cache_stats(): array {}

    /**
     * Compiles `$rule` (through the cache) and evaluates it against `$tags`.
     *
     * @param \TagGate\TagSet|array $tags
     * @throws \TagGate\RuleSyntaxException
     *
     * @param string $rule
     * @param mixed $tags
     * @param int|null $now
     * @return bool
     */
    function taggate_evaluate(string $rule, mixed $tags, ?int $now = null): bool {}

    /**
     * Evaluates many rules against one tag set. Keys are kept; values become
     * bools. An invalid rule throws a `RuleSyntaxException` whose message
     * starts with its key.
     *
     * @param array<array-key, string> $rules
     * @param \TagGate\TagSet|array $tags
     * @return array<array-key, bool>
     *
     * @param array $rules
     * @param mixed $tags
     * @param int|null $now
     * @return array
     */
    function taggate_filter(array $rules, mixed $tags, ?int $now = null): array {}

    /**
     * The key of a tag (SPEC §1): what decides whether two spellings are the
     * same tag. Not in SPEC §3: the plugin stores tags by key and uses this so
     * its keys are exactly the extension's.
     *
     * @throws \ValueError on a tag that breaks SPEC §1
     *
     * @param string $tag
     * @return string
     */
    function taggate_tag_key(string $tag): string {}

    /**
     * Like `Webhook::verify`, but answers false instead of throwing a
     * `SignatureException`. A bad scheme or secret still throws `\ValueError`.
     *
     * @param string|array $secrets
     *
     * @param string $scheme
     * @param mixed $secrets
     * @param array $headers
     * @param string $body
     * @param int $tolerance_seconds
     * @param int|null $now
     * @return bool
     */
    function taggate_verify(string $scheme, mixed $secrets, array $headers, string $body, int $tolerance_seconds = 300, ?int $now = null): bool {}

    /**
     * The extension's version.
     *
     * @return string
     */
    function taggate_version(): string {}
}
