<?php
/**
 * Admin notices: whenever the taggate extension is missing, administrators
 * are told, on every admin screen, what that means and how to fix it; the
 * plugin's own screens also say when no webhook secret is configured.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Admin notices.
 */
final class Admin_Notices {

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		if ( ! is_admin() ) {
			return; // wp-admin screens only (admin-post.php and admin-ajax.php included).
		}
		add_action( 'admin_notices', array( __CLASS__, 'render' ) );
		add_action( 'network_admin_notices', array( __CLASS__, 'render' ) );
	}

	/**
	 * The explanation of a missing extension.
	 *
	 * @return string
	 */
	public static function missing_extension_text() {
		return __( 'TagGate: the taggate PHP extension is not loaded by the PHP that serves this site. Until it is, every protected post and every [taggate] or TagGate block stays hidden from everyone but administrators, and the webhook and CRM URLs answer 503 "unavailable". Add "extension=/path/to/libtaggate.so" to the PHP-FPM configuration (php.ini or the pool\'s php_admin_value[extension]) and restart PHP-FPM.', 'taggate' );
	}

	/**
	 * Prints the notices that apply.
	 */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			// Editors are told too, where they protect content.
			$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
			if ( Plugin::extension_loaded() || ! $screen || 'post' !== $screen->base || ! current_user_can( 'edit_posts' ) ) {
				return;
			}
		}
		if ( ! Plugin::extension_loaded() ) {
			printf(
				'<div class="notice notice-error taggate-notice-extension"><p><strong>%s</strong></p><p>%s</p></div>',
				esc_html__( 'TagGate is failing closed.', 'taggate' ),
				esc_html( self::missing_extension_text() )
			);
			return;
		}
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		$own    = $screen && ( false !== strpos( (string) $screen->id, 'taggate' ) || 'plugins' === $screen->id );
		if ( $own && current_user_can( 'manage_options' ) && ! Settings::secrets() ) {
			printf(
				'<div class="notice notice-warning taggate-notice-secret"><p>%s <a href="%s">%s</a></p></div>',
				esc_html__( 'TagGate has no webhook secret yet, so the webhook answers 503.', 'taggate' ),
				esc_url( Admin_Settings::url() . '#taggate-secrets' ),
				esc_html__( 'Generate one', 'taggate' )
			);
		}
	}
}
