<?php
/**
 * The TagGate block (`taggate/gate`): its inner blocks are shown only to
 * those who pass its rule; an optional `taggate/otherwise` child holds what
 * everyone else sees. Rendered on the server, so the protected blocks never
 * reach a user who does not pass (content.rendered of the REST API included):
 * the inner blocks are not even rendered unless they are to be shown.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The block.
 */
final class Block {

	const NAME      = 'taggate/gate';
	const OTHERWISE = 'taggate/otherwise';

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		add_action( 'init', array( __CLASS__, 'register_blocks' ) );
	}

	/**
	 * What the front end needs of each block: its attributes and supports
	 * (as in its block.json, which a test holds them to) and how it renders.
	 * Page views register the blocks from this, without reading and decoding
	 * two block.json files on every request; wp-admin and the REST API (the
	 * editor, `/wp/v2/block-types`) register them from block.json, with
	 * titles, descriptions, scripts and the `block_type_metadata` filters.
	 *
	 * @return array<string, array> Block name => register_block_type() args.
	 */
	public static function front_end_types() {
		return array(
			self::NAME      => array(
				'api_version'       => 2,
				'attributes'        => array(
					'rule' => array(
						'type'    => 'string',
						'default' => '',
					),
				),
				'supports'          => array(
					'html'      => false,
					'className' => true,
					'anchor'    => false,
					'reusable'  => true,
				),
				'render_callback'   => array( __CLASS__, 'render_gate' ),
				'skip_inner_blocks' => true,
			),
			self::OTHERWISE => array(
				'api_version'     => 2,
				'parent'          => array( self::NAME ),
				'attributes'      => array(),
				'supports'        => array(
					'html'      => false,
					'className' => false,
					'multiple'  => false,
					'reusable'  => false,
					'inserter'  => true,
				),
				'render_callback' => array( __CLASS__, 'render_otherwise' ),
			),
		);
	}

	/**
	 * Registers the two blocks (and, in wp-admin, the editor script).
	 */
	public static function register_blocks() {
		if ( ! function_exists( 'register_block_type' ) ) {
			return;
		}
		$types = self::front_end_types();
		if ( ! is_admin() && ! Webhook_Controller::is_rest_url() ) {
			foreach ( $types as $name => $args ) {
				register_block_type( $name, $args );
			}
			return;
		}
		// The editor script is registered where editors run (wp-admin).
		if ( is_admin() ) {
			Gate_Assets::register_editor_assets();
		}
		register_block_type(
			TAGGATE_PLUGIN_DIR . 'blocks/gate',
			array(
				'render_callback'   => $types[ self::NAME ]['render_callback'],
				'skip_inner_blocks' => true,
			)
		);
		register_block_type(
			TAGGATE_PLUGIN_DIR . 'blocks/otherwise',
			array(
				'render_callback' => $types[ self::OTHERWISE ]['render_callback'],
			)
		);
	}

	/**
	 * Renders `taggate/gate`: the inner blocks for those who pass, the
	 * `taggate/otherwise` blocks for everyone else.
	 *
	 * @param array     $attributes Attributes.
	 * @param string    $content    Static content (none: inner blocks are skipped).
	 * @param \WP_Block $block      The block.
	 * @return string
	 */
	public static function render_gate( $attributes, $content = '', $block = null ) {
		if ( ! ( $block instanceof \WP_Block ) ) {
			return '';
		}
		$rule   = isset( $attributes['rule'] ) && is_string( $attributes['rule'] ) ? $attributes['rule'] : '';
		$passes = Gate::passes( $rule, 'block' );
		$html   = '';
		foreach ( $block->inner_blocks as $inner ) {
			$is_otherwise = self::OTHERWISE === $inner->name;
			if ( $passes !== $is_otherwise ) {
				$html .= $inner->render();
			}
		}
		if ( '' === trim( $html ) ) {
			return '';
		}
		$class = 'taggate-gate ' . ( $passes ? 'taggate-gate--passed' : 'taggate-gate--otherwise' );
		return '<div ' . get_block_wrapper_attributes( array( 'class' => $class ) ) . '>' . $html . '</div>';
	}

	/**
	 * Renders `taggate/otherwise` (only ever asked by its parent, and only
	 * for those who do not pass).
	 *
	 * @param array  $attributes Attributes.
	 * @param string $content    Rendered inner blocks.
	 * @return string
	 */
	public static function render_otherwise( $attributes, $content = '' ) {
		return (string) $content;
	}

	/**
	 * True when a stored text may hold the gate block. Its delimiters read
	 * `wp:taggate/gate` after `<!--` and any white space (the block parser
	 * accepts any), so the needle is the name's start: short enough for PHP to
	 * find with memchr(). A false positive costs only a parse.
	 *
	 * @param string $content Post content.
	 * @return bool
	 */
	public static function mentioned_in( $content ) {
		return false !== strpos( $content, ':taggate' );
	}

	/**
	 * Resolves the gate blocks of a stored text for the current user: each is
	 * replaced by the blocks the user may see. Used on post objects, so code
	 * that prints `post_content` without rendering it shows no protected block.
	 *
	 * @param string $content Post content.
	 * @return string
	 */
	public static function resolve( $content ) {
		if ( ! is_string( $content ) || ! self::mentioned_in( $content ) ) {
			return $content;
		}
		return serialize_blocks( self::resolve_list( parse_blocks( $content ) ) );
	}

	/**
	 * Resolves a list of parsed blocks.
	 *
	 * @param array[] $blocks Parsed blocks.
	 * @return array[]
	 */
	private static function resolve_list( array $blocks ) {
		$out = array();
		foreach ( $blocks as $block ) {
			foreach ( self::resolve_block( $block ) as $resolved ) {
				$out[] = $resolved;
			}
		}
		return $out;
	}

	/**
	 * Resolves one parsed block into the blocks that stand for it.
	 *
	 * @param array $block Parsed block.
	 * @return array[]
	 */
	private static function resolve_block( array $block ) {
		if ( self::NAME === $block['blockName'] ) {
			$rule   = isset( $block['attrs']['rule'] ) && is_string( $block['attrs']['rule'] ) ? $block['attrs']['rule'] : '';
			$passes = Gate::passes( $rule, 'block' );
			$out    = array();
			foreach ( $block['innerBlocks'] as $inner ) {
				$is_otherwise = self::OTHERWISE === $inner['blockName'];
				if ( $passes && ! $is_otherwise ) {
					$out = array_merge( $out, self::resolve_block( $inner ) );
				} elseif ( ! $passes && $is_otherwise ) {
					$out = array_merge( $out, self::resolve_list( $inner['innerBlocks'] ) );
				}
			}
			return $out;
		}
		if ( empty( $block['innerBlocks'] ) ) {
			return array( $block );
		}
		// Rebuild the inner blocks and the placeholders (null) that mark them in innerContent.
		$inner_blocks  = array();
		$inner_content = array();
		$index         = 0;
		foreach ( $block['innerContent'] as $chunk ) {
			if ( is_string( $chunk ) ) {
				$inner_content[] = $chunk;
				continue;
			}
			$source = $block['innerBlocks'][ $index++ ] ?? null;
			if ( null === $source ) {
				continue;
			}
			foreach ( self::resolve_block( $source ) as $resolved ) {
				$inner_blocks[]  = $resolved;
				$inner_content[] = null;
			}
		}
		$block['innerBlocks']  = $inner_blocks;
		$block['innerContent'] = $inner_content;
		return array( $block );
	}

	/**
	 * The rules of every gate block in a text, in order.
	 *
	 * @param string $content Post content.
	 * @return string[]
	 */
	public static function rules_in( $content ) {
		if ( ! is_string( $content ) || ! self::mentioned_in( $content ) ) {
			return array();
		}
		$rules = array();
		$walk  = static function ( array $blocks ) use ( &$walk, &$rules ) {
			foreach ( $blocks as $block ) {
				if ( self::NAME === $block['blockName'] ) {
					$rules[] = isset( $block['attrs']['rule'] ) && is_string( $block['attrs']['rule'] ) ? $block['attrs']['rule'] : '';
				}
				if ( ! empty( $block['innerBlocks'] ) ) {
					$walk( $block['innerBlocks'] );
				}
			}
		};
		$walk( parse_blocks( $content ) );
		return $rules;
	}
}
