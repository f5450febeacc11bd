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
		// Part 1: storage, webhooks.
		Installer::class,
		Cron::class,
		Webhook_Controller::class,
		// Registered everywhere: wp-login.php checks its action before any
		// hook fires, and login URLs can be moved by other plugins.
		Login_Links::class,
		// Part 2: gating.
		Gate::class,
		Shortcode::class,
		Block::class,
	);

	/**
	 * Components whose hooks only matter on one kind of request, by the action
	 * that starts such a request: elsewhere (page views, feeds) they are not
	 * even loaded. wp-admin, XML-RPC and WP-CLI register them at boot.
	 *
	 * @var array<string, string[]>
	 */
	const ON_DEMAND = array(
		// The CRM endpoint; the editor's REST route, meta and save checks.
		'rest_api_init' => array( Crm_Controller::class, Editor::class ),
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
		$components = self::COMPONENTS;
		if ( is_admin() || ( defined( 'XMLRPC_REQUEST' ) && XMLRPC_REQUEST ) || ( defined( 'WP_CLI' ) && WP_CLI ) ) {
			$components = array_merge( $components, ...array_values( self::ON_DEMAND ) );
		} else {
			foreach ( array_keys( self::ON_DEMAND ) as $action ) {
				// First of all on that action, so the components' own callbacks on it still run.
				add_action( $action, array( __CLASS__, 'register_on_demand' ), PHP_INT_MIN );
			}
		}
		if ( is_admin() ) {
			$components = array_merge( $components, self::ADMIN_COMPONENTS );
		}
		self::register_components( $components );
		/**
		 * Fires once TagGate has registered its hooks.
		 */
		do_action( 'taggate_loaded' );
	}

	/**
	 * Registers the on-demand components of the action now running.
	 */
	public static function register_on_demand() {
		$action = current_action();
		remove_action( $action, array( __CLASS__, 'register_on_demand' ), PHP_INT_MIN );
		self::register_components( self::ON_DEMAND[ $action ] ?? array() );
	}

	/**
	 * Calls each component's static register().
	 *
	 * @param string[] $components Class names.
	 */
	private static function register_components( array $components ) {
		foreach ( $components as $component ) {
			if ( class_exists( $component ) ) {
				$component::register();
			}
		}
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
