<?php
/**
 * The gating settings, read through part 1's Settings API with safe defaults.
 *
 * Gating reads three values: the post types it gates, the message shown to
 * those who may not see a post, and an optional local URL to send them to.
 * They are read once per request.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Gating configuration.
 */
final class Gate_Config {

	/**
	 * Values read in this request.
	 *
	 * @var array<string, mixed>
	 */
	private static $cache = array();

	/**
	 * The option holding the settings this part of the plugin adds (gated
	 * post types, denied message and redirect, rotation window).
	 */
	const OPTION = 'taggate_gating';

	/**
	 * Defaults of the keys stored in OPTION.
	 *
	 * @return array<string, mixed>
	 */
	public static function defaults() {
		return array(
			'post_types'      => array( 'post', 'page' ),
			'denied_message'  => '',
			'denied_redirect' => '',
			'rotation_hours'  => 24,
		);
	}

	/**
	 * Reads a setting: through Settings::get() when the settings layer knows
	 * the key, else from OPTION, else the default.
	 *
	 * @param string $name    Setting name.
	 * @param mixed  $default Default.
	 * @return mixed
	 */
	public static function get( $name, $default = null ) {
		if ( array_key_exists( $name, self::$cache ) ) {
			return self::$cache[ $name ];
		}
		$value    = null;
		$defaults = self::defaults();
		// Gating's own keys first: page views then never load Settings.
		if ( ! array_key_exists( $name, $defaults ) && class_exists( Settings::class ) && array_key_exists( $name, Settings::defaults() ) ) {
			$value = Settings::get( $name );
		} else {
			$stored = get_option( self::OPTION, array() );
			if ( is_array( $stored ) && array_key_exists( $name, $stored ) ) {
				$value = $stored[ $name ];
			} elseif ( array_key_exists( $name, $defaults ) && null === $default ) {
				$value = $defaults[ $name ];
			}
		}
		if ( null === $value ) {
			$value = $default;
		}
		self::$cache[ $name ] = $value;
		return $value;
	}

	/**
	 * How long a rotated secret keeps verifying, in seconds.
	 *
	 * @return int
	 */
	public static function rotation_seconds() {
		$hours = (float) self::get( 'rotation_hours', 24 );
		return (int) round( max( 0, min( 30 * 24, $hours ) ) * HOUR_IN_SECONDS );
	}

	/**
	 * Forgets the values read so far (after the settings change).
	 */
	public static function flush() {
		self::$cache = array();
	}

	/**
	 * The post types whose `_taggate_rule` is enforced.
	 *
	 * @return string[]
	 */
	public static function post_types() {
		if ( array_key_exists( '__post_types', self::$cache ) ) {
			return self::$cache['__post_types'];
		}
		$types = self::get( 'post_types', array( 'post', 'page' ) );
		if ( is_string( $types ) ) {
			$types = preg_split( '/[\s,]+/', $types, -1, PREG_SPLIT_NO_EMPTY );
		}
		$types = array_values( array_diff( array_map( 'strval', (array) $types ), array( 'attachment' ) ) );
		/**
		 * Filters the post types TagGate gates by their `_taggate_rule`.
		 *
		 * @param string[] $types Post type slugs.
		 */
		$types = (array) apply_filters( 'taggate_gated_post_types', $types );

		self::$cache['__post_types'] = array_values( array_unique( array_map( 'strval', $types ) ) );
		return self::$cache['__post_types'];
	}

	/**
	 * True when the post type is gated.
	 *
	 * @param string $post_type Post type slug.
	 * @return bool
	 */
	public static function is_gated_type( $post_type ) {
		return in_array( (string) $post_type, self::post_types(), true );
	}

	/**
	 * The message shown in place of a post (may hold limited HTML).
	 *
	 * @return string
	 */
	public static function denied_message() {
		$message = (string) self::get( 'denied_message', '' );
		if ( '' === trim( $message ) ) {
			$message = __( 'This content is for members only.', 'taggate' );
		}
		return $message;
	}

	/**
	 * The local URL those who may not see a post are sent to, or '' to show
	 * the message instead. Anything that is not a URL on this site is ''.
	 *
	 * @return string
	 */
	public static function denied_redirect() {
		$url = trim( (string) self::get( 'denied_redirect', '' ) );
		if ( '' === $url ) {
			return '';
		}
		if ( '/' === $url[0] && ( ! isset( $url[1] ) || '/' !== $url[1] ) ) {
			$url = home_url( $url );
		}
		return (string) wp_validate_redirect( $url, '' );
	}
}
