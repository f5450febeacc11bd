<?php
/**
 * Reads forms out of wp-admin pages, so that tests submit them the way a
 * browser would (every field, hidden nonces included).
 */

declare(strict_types=1);

namespace TagGate\Tests\Http;

final class GateHtml
{
    private static function xpath(string $html): \DOMXPath
    {
        $doc = new \DOMDocument();
        $prev = libxml_use_internal_errors(true);
        $doc->loadHTML('<?xml encoding="utf-8"?>' . $html, LIBXML_NOWARNING | LIBXML_NOERROR);
        libxml_clear_errors();
        libxml_use_internal_errors($prev);
        return new \DOMXPath($doc);
    }

    /**
     * The fields of the first form matched by an XPath expression, as a
     * list of [name, value] pairs (checkboxes and radios only when checked;
     * the first option of a select unless one is selected).
     *
     * @return array<int,array{0:string,1:string}>
     */
    public static function fields(string $html, string $formXpath): array
    {
        $xp = self::xpath($html);
        $form = $xp->query($formXpath)->item(0);
        if (!$form) {
            throw new \RuntimeException("no form matches $formXpath");
        }
        $out = [];
        foreach ($xp->query('.//input|.//textarea|.//select', $form) as $el) {
            /** @var \DOMElement $el */
            $name = $el->getAttribute('name');
            if ($name === '' || $el->hasAttribute('disabled')) {
                continue;
            }
            $tag = strtolower($el->nodeName);
            if ($tag === 'input') {
                $type = strtolower($el->getAttribute('type') ?: 'text');
                if (in_array($type, ['checkbox', 'radio'], true) && !$el->hasAttribute('checked')) {
                    continue;
                }
                if (in_array($type, ['submit', 'button', 'image', 'file', 'reset'], true)) {
                    continue;
                }
                $out[] = [$name, $type === 'checkbox' && !$el->hasAttribute('value') ? 'on' : $el->getAttribute('value')];
            } elseif ($tag === 'textarea') {
                $out[] = [$name, $el->textContent];
            } else {
                $value = null;
                foreach ($xp->query('.//option', $el) as $opt) {
                    /** @var \DOMElement $opt */
                    if ($value === null || $opt->hasAttribute('selected')) {
                        $value = $opt->hasAttribute('value') ? $opt->getAttribute('value') : $opt->textContent;
                        if ($opt->hasAttribute('selected')) {
                            break;
                        }
                    }
                }
                $out[] = [$name, (string) $value];
            }
        }
        return $out;
    }

    /**
     * Replaces (or adds) fields: $set is name => value, or name => list for
     * a multi-valued name (`x[]`); a null value removes the field.
     *
     * @param array<int,array{0:string,1:string}> $fields
     * @return array<int,array{0:string,1:string}>
     */
    public static function with(array $fields, array $set): array
    {
        $names = array_keys($set);
        $fields = array_values(array_filter($fields, fn ($f) => !in_array($f[0], $names, true)));
        foreach ($set as $name => $value) {
            foreach ($value === null ? [] : (array) $value as $v) {
                $fields[] = [$name, (string) $v];
            }
        }
        return $fields;
    }

    /** URL-encodes fields (names may repeat). */
    public static function encode(array $fields): string
    {
        return implode('&', array_map(fn ($f) => rawurlencode($f[0]) . '=' . rawurlencode($f[1]), $fields));
    }

    /** The text of the first node an XPath expression matches ('' if none). */
    public static function text(string $html, string $xpath): string
    {
        $node = self::xpath($html)->query($xpath)->item(0);
        return $node ? trim($node->textContent) : '';
    }

    /** The value of an attribute of the first node matched ('' if none). */
    public static function attr(string $html, string $xpath, string $attr): string
    {
        $node = self::xpath($html)->query($xpath)->item(0);
        return $node instanceof \DOMElement ? $node->getAttribute($attr) : '';
    }
}
