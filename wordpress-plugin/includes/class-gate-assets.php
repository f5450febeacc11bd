<?php
/**
 * Script and style handles. There is no build step: the editor scripts are
 * plain ES5 using the `wp.*` globals, declared as dependencies here.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Asset registration.
 */
final class Gate_Assets {

	/**
	 * Whether the editor assets are registered.
	 *
	 * @var bool
	 */
	private static $registered = false;

	/**
	 * URL of a file in the plugin.
	 *
	 * @param string $path Path below the plugin folder.
	 * @return string
	 */
	public static function url( $path ) {
		return plugins_url( $path, TAGGATE_PLUGIN_FILE );
	}

	/**
	 * Version string for cache busting: the plugin version and the file time.
	 *
	 * @param string $path Path below the plugin folder.
	 * @return string
	 */
	public static function version( $path ) {
		$mtime = @filemtime( TAGGATE_PLUGIN_DIR . $path ); // phpcs:ignore WordPress.PHP.NoSilencedErrors.Discouraged
		return TAGGATE_PLUGIN_VERSION . ( $mtime ? '.' . $mtime : '' );
	}

	/**
	 * Registers a script of the plugin.
	 *
	 * @param string   $handle Handle.
	 * @param string   $path   Path below the plugin folder.
	 * @param string[] $deps   Dependencies.
	 */
	private static function script( $handle, $path, array $deps ) {
		wp_register_script( $handle, self::url( $path ), $deps, self::version( $path ), true );
		wp_set_script_translations( $handle, 'taggate', TAGGATE_PLUGIN_DIR . 'languages' );
	}

	/**
	 * Registers the editor scripts and styles (once).
	 */
	public static function register_editor_assets() {
		if ( self::$registered ) {
			return;
		}
		self::$registered = true;

		self::script( 'taggate-rule-check', 'assets/js/rule-check.js', array( 'wp-api-fetch', 'wp-element', 'wp-i18n' ) );
		wp_add_inline_script(
			'taggate-rule-check',
			'window.taggateEditorSettings = ' . wp_json_encode(
				array(
					'validatePath'     => '/' . Editor::REST_NAMESPACE . '/rule/validate',
					'extensionLoaded'  => Plugin::extension_loaded(),
					'gatedPostTypes'   => Gate_Config::post_types(),
					'examples'         => array( 'vip', 'any(gold, silver) and none(refunded, revoked)', 'course-a for 7d' ),
				)
			) . ';',
			'before'
		);
		self::script( 'taggate-gate-editor', 'assets/js/gate-block.js', array( 'taggate-rule-check', 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-components', 'wp-data', 'wp-i18n' ) );
		self::script( 'taggate-editor-panel', 'assets/js/editor-panel.js', array( 'taggate-rule-check', 'wp-plugins', 'wp-edit-post', 'wp-element', 'wp-components', 'wp-data', 'wp-i18n' ) );
		self::script( 'taggate-metabox', 'assets/js/metabox.js', array( 'taggate-rule-check' ) );
		wp_register_style( 'taggate-editor', self::url( 'assets/css/editor.css' ), array(), self::version( 'assets/css/editor.css' ) );
	}

	/**
	 * Registers and enqueues the admin stylesheet (on the plugin's own screens).
	 */
	public static function enqueue_admin_style() {
		wp_enqueue_style( 'taggate-admin', self::url( 'assets/css/admin.css' ), array(), self::version( 'assets/css/admin.css' ) );
	}
}
