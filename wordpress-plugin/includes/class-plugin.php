<?php
/**
 * Boots the plugin: each concern is one class with a static `register()`.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The bootstrapper.
 */
final class Plugin {

	/**
	 * The components, in boot order. Each is a class in `includes/` with a
	 * static `register()` that adds its hooks.
	 *
	 * @var string[]
	 */
	const COMPONENTS = array(
		// Part 1: storage, webhooks, CRM adapters.
		Installer::class,
		Cron::class,
		Webhook_Controller::class,
		Crm_Controller::class,
		Login_Links::class,
		// Part 2: gating, editor and admin UI.
		Gate::class,
		Shortcode::class,
		Block::class,
		Editor::class,
	);

	/**
	 * Components for wp-admin screens only (admin-post.php and admin-ajax.php
	 * included): not even loaded on the front end, feeds or the REST API.
	 *
	 * @var string[]
	 */
	const ADMIN_COMPONENTS = array(
		Admin_Settings::class,
		Admin_Log::class,
		Admin_User_Tags::class,
		Admin_Rule_Tester::class,
		Site_Health::class,
		Admin_Notices::class,
	);

	/**
	 * Registers every component's hooks. Runs on `plugins_loaded`.
	 */
	public static function boot() {
		self::register_textdomain();
		$components = is_admin() ? array_merge( self::COMPONENTS, self::ADMIN_COMPONENTS ) : self::COMPONENTS;
		foreach ( $components as $component ) {
			if ( class_exists( $component ) ) {
				$component::register();
			}
		}
		/**
		 * Fires once TagGate has registered its hooks.
		 */
		do_action( 'taggate_loaded' );
	}

	/**
	 * Tells WordPress where TagGate's translations are, to be loaded the
	 * first time a TagGate string is translated (most page views translate
	 * none; WordPress 6.1's just-in-time loading reads this path) rather
	 * than on every request. Files in wp-content/languages/plugins/ still win.
	 */
	private static function register_textdomain() {
		global $wp_textdomain_registry;
		if ( $wp_textdomain_registry instanceof \WP_Textdomain_Registry ) {
			$wp_textdomain_registry->set_custom_path( 'taggate', TAGGATE_PLUGIN_DIR . 'languages' );
			return;
		}
		load_plugin_textdomain( 'taggate', false, dirname( plugin_basename( TAGGATE_PLUGIN_FILE ) ) . '/languages' );
	}

	/**
	 * True when the taggate extension is loaded in this PHP.
	 *
	 * @return bool
	 */
	public static function extension_loaded() {
		return extension_loaded( 'taggate' ) && class_exists( '\TagGate\Rule', false );
	}
}
