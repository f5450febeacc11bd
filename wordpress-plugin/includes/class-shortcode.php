<?php
/**
 * The [taggate] shortcode: part of any content shown only to those who pass
 * a rule.
 *
 *     [taggate rule="vip and not refunded"]for members[else]for everyone else[/taggate]
 *
 * WordPress's own shortcode parser pairs an opening tag with the FIRST closing
 * tag of the same name, so a nested [taggate] would end the outer one early
 * and print the rest of the outer content to everyone. This class therefore
 * resolves [taggate] itself, with a parser that pairs tags by depth, before
 * WordPress's parser runs: on post content (the_content at priority 0, through
 * Gate::filter_content_early(), ahead of blocks and
 * shortcodes), on the pages get_the_content() reads (so automatic excerpts
 * are built from what the user may see), on post objects of lists (see Gate)
 * and on widget text. [else] belongs to the innermost open [taggate]. An
 * opening tag that is never closed protects everything after it (fail closed).
 * The shortcode is also registered with WordPress, for content that reaches
 * do_shortcode() by another path.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The shortcode.
 */
final class Shortcode {

	const TAG = 'taggate';

	/**
	 * True when a text may hold a [taggate] or [/taggate] tag (a cheap scan:
	 * both needles start with a character that is rare in prose, so PHP's
	 * strpos() skips through the text with memchr()).
	 *
	 * @param string $text Text.
	 * @return bool
	 */
	public static function mentions( $text ) {
		return false !== strpos( $text, '[' . self::TAG ) || false !== strpos( $text, '/' . self::TAG );
	}

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		add_shortcode( self::TAG, array( __CLASS__, 'render_shortcode' ) );
		// the_content: resolved by Gate::filter_content_early() (priority 0).
		// content_pagination: resolved by Gate::filter_pages(), with the page check.
		add_filter( 'widget_text', array( __CLASS__, 'resolve' ), 8 );
		add_filter( 'widget_text_content', array( __CLASS__, 'resolve' ), 8 );
		add_filter( 'widget_block_content', array( __CLASS__, 'resolve' ), 8 );
		// Automatic excerpts strip shortcodes before the_content resolves them:
		// leaving [taggate] to be resolved keeps a nested one from leaking.
		add_filter( 'strip_shortcodes_tagnames', array( __CLASS__, 'keep_when_stripping' ) );
	}

	/**
	 * The regular expression for the three tags, in WordPress's syntax:
	 * [taggate …], [taggate … /], [/taggate], [else], and their escaped forms
	 * [[…]] (left as they are, for WordPress to unescape).
	 *
	 * @return string
	 */
	private static function pattern() {
		return '/\[(\[?)(\/?)(' . self::TAG . '|else)(?![\w-])([^\]\/]*(?:\/(?!\])[^\]\/]*)*?)(\/?)\](\]?)/';
	}

	/**
	 * Resolves every [taggate] in a text for the current user.
	 *
	 * @param string $text Text.
	 * @return string
	 */
	public static function resolve( $text ) {
		if ( ! is_string( $text ) || ! self::mentions( $text ) ) {
			return $text;
		}
		$root = self::parse( $text );
		return self::render_node( $root, true );
	}

	/**
	 * `content_pagination`.
	 *
	 * @param string[] $pages Pages.
	 * @return string[]
	 */
	public static function resolve_pages( $pages ) {
		// Pages are split by <!--nextpage-->; a [taggate] spanning pages is resolved on the whole.
		if ( ! is_array( $pages ) ) {
			return $pages;
		}
		$found = false;
		foreach ( $pages as $page ) {
			// One scan for the name; resolve() looks closer.
			if ( is_string( $page ) && self::mentions( $page ) ) {
				$found = true;
				break;
			}
		}
		if ( ! $found ) {
			return $pages;
		}
		return explode( '<!--nextpage-->', self::resolve( implode( '<!--nextpage-->', $pages ) ) );
	}

	/**
	 * `strip_shortcodes_tagnames`: keeps [taggate] out of strip_shortcodes(),
	 * which would mis-pair nested tags; the_content resolves it afterwards.
	 *
	 * @param string[] $tags Tag names.
	 * @return string[]
	 */
	public static function keep_when_stripping( $tags ) {
		return array_values( array_diff( (array) $tags, array( self::TAG ) ) );
	}

	/**
	 * Parses a text into a tree of nodes:
	 * `['rule' => ?string, 'yes' => list, 'no' => list, 'in_else' => bool]`,
	 * where a list holds strings and nodes. The root has rule null.
	 *
	 * @param string      $text Text.
	 * @param string|null $rule Rule of the root (null: the text is not itself gated).
	 * @return array
	 */
	private static function parse( $text, $rule = null ) {
		$root  = self::node( $rule );
		$stack = array( &$root );
		$depth = 0;
		$pos   = 0;

		if ( preg_match_all( self::pattern(), $text, $matches, PREG_SET_ORDER | PREG_OFFSET_CAPTURE ) ) {
			foreach ( $matches as $m ) {
				$offset = $m[0][1];
				$whole  = $m[0][0];
				if ( $offset > $pos ) {
					self::append( $stack[ $depth ], substr( $text, $pos, $offset - $pos ) );
				}
				$pos = $offset + strlen( $whole );

				$escaped = '[' === $m[1][0] && ']' === $m[6][0];
				$closing = '/' === $m[2][0];
				$is_else = 'else' === $m[3][0];
				$inside  = $depth > 0 || null !== $rule;

				if ( $escaped || ( $is_else && ! $inside ) ) {
					// [[taggate]] is left for WordPress to unescape; [else] outside [taggate] is not ours.
					self::append( $stack[ $depth ], $whole );
					continue;
				}
				if ( '[' === $m[1][0] ) {
					// "[[taggate]": the first bracket is text.
					self::append( $stack[ $depth ], '[' );
				}

				if ( $is_else ) {
					// [else] switches the innermost [taggate] to its other branch; a second one, or [/else], is dropped.
					if ( ! $closing ) {
						$stack[ $depth ]['in_else'] = true;
					}
				} elseif ( $closing ) {
					// [/taggate] closes the innermost one; a stray one is dropped.
					if ( $depth > 0 ) {
						unset( $stack[ $depth ] );
						--$depth;
					}
				} else {
					$atts = shortcode_parse_atts( $m[4][0] );
					$node = self::node( self::rule_from_atts( is_array( $atts ) ? $atts : array() ) );
					$key  = self::append( $stack[ $depth ], $node );
					if ( '/' !== $m[5][0] ) {
						$branch              = $stack[ $depth ]['in_else'] ? 'no' : 'yes';
						$stack[ $depth + 1 ] = &$stack[ $depth ][ $branch ][ $key ];
						++$depth;
					}
				}
				if ( ']' === $m[6][0] ) {
					self::append( $stack[ $depth ], ']' );
				}
			}
		}
		if ( $pos < strlen( $text ) ) {
			// Anything after an unclosed [taggate] belongs to it.
			self::append( $stack[ $depth ], substr( $text, $pos ) );
		}
		unset( $stack );
		return $root;
	}

	/**
	 * A new node.
	 *
	 * @param string|null $rule Rule.
	 * @return array
	 */
	private static function node( $rule ) {
		return array(
			'rule'    => $rule,
			'yes'     => array(),
			'no'      => array(),
			'in_else' => false,
		);
	}

	/**
	 * Appends a string or a node to the open branch of a node.
	 *
	 * @param array        $node  Node (by reference).
	 * @param string|array $child Child.
	 * @return int The child's key.
	 */
	private static function append( array &$node, $child ) {
		$branch            = $node['in_else'] ? 'no' : 'yes';
		$node[ $branch ][] = $child;
		return array_key_last( $node[ $branch ] );
	}

	/**
	 * The rule named by the attributes ('' when there is none, which denies).
	 *
	 * @param array $atts Attributes.
	 * @return string
	 */
	private static function rule_from_atts( array $atts ) {
		$rule = isset( $atts['rule'] ) ? (string) $atts['rule'] : '';
		// The editors store & as &amp; and may encode quotes.
		return trim( html_entity_decode( $rule, ENT_QUOTES | ENT_HTML5, 'UTF-8' ) );
	}

	/**
	 * Renders a node for the current user.
	 *
	 * @param array $node    Node.
	 * @param bool  $is_root Whether it is the root (always shown).
	 * @return string
	 */
	private static function render_node( array $node, $is_root = false ) {
		$branch = $is_root || Gate::passes( (string) $node['rule'], 'shortcode' ) ? 'yes' : 'no';
		$out    = '';
		foreach ( $node[ $branch ] as $child ) {
			$out .= is_array( $child ) ? self::render_node( $child ) : $child;
		}
		return $out;
	}

	/**
	 * The registered shortcode's handler (content that reaches do_shortcode()
	 * without having been resolved before).
	 *
	 * @param array|string $atts    Attributes.
	 * @param string|null  $content Enclosed content.
	 * @return string
	 */
	public static function render_shortcode( $atts, $content = null ) {
		$rule = self::rule_from_atts( is_array( $atts ) ? $atts : array() );
		if ( null === $content || '' === $content ) {
			return '';
		}
		$node = self::parse( $content, $rule );
		return do_shortcode( self::render_node( $node ) );
	}
}
