<?php
/**
 * Autoloader for the plugin's classes: `TagGate\WP\Foo_Bar` lives in
 * `includes/class-foo-bar.php` (WordPress file naming).
 *
 * The extension's own classes (`TagGate\Rule`, `TagGate\TagSet`, …) are in the
 * `TagGate` namespace; the plugin keeps to `TagGate\WP` so the two never clash.
 *
 * @package TagGate
 */

defined( 'ABSPATH' ) || exit;

spl_autoload_register(
	static function ( $class_name ) {
		$prefix = 'TagGate\\WP\\';
		if ( 0 !== strncmp( $class_name, $prefix, strlen( $prefix ) ) ) {
			return;
		}
		$short = substr( $class_name, strlen( $prefix ) );
		$file  = TAGGATE_PLUGIN_DIR . 'includes/class-' . strtolower( str_replace( '_', '-', $short ) ) . '.php';
		if ( is_readable( $file ) ) {
			require_once $file;
		}
	}
);
