<?php
/**
 * Runs when the plugin is deleted from the Plugins screen: removes TagGate's
 * tables, options, user meta and capability, on every site of a network.
 * (Deactivating keeps everything.)
 *
 * @package TagGate
 */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

if ( ! defined( 'TAGGATE_PLUGIN_DIR' ) ) {
	define( 'TAGGATE_PLUGIN_DIR', __DIR__ . '/' );
}
require_once TAGGATE_PLUGIN_DIR . 'includes/autoload.php';

if ( is_multisite() ) {
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $taggate_site_id ) {
		switch_to_blog( (int) $taggate_site_id );
		\TagGate\WP\Installer::uninstall_site();
		\TagGate\WP\Installer::uninstall_users();
		restore_current_blog();
	}
} else {
	\TagGate\WP\Installer::uninstall_site();
	\TagGate\WP\Installer::uninstall_users();
}
