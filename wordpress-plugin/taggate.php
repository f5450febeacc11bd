<?php
/**
 * Plugin Name:       TagGate
 * Plugin URI:        https://example.com/taggate
 * Description:       Grants access from the tags your CRM keeps on each contact, and lets the CRM change those tags through signed webhooks. Needs the taggate PHP extension.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            TagGate
 * License:           MIT
 * Text Domain:       taggate
 * Domain Path:       /languages
 *
 * @package TagGate
 */

defined( 'ABSPATH' ) || exit;

define( 'TAGGATE_PLUGIN_VERSION', '0.1.0' );
define( 'TAGGATE_PLUGIN_FILE', __FILE__ );
define( 'TAGGATE_PLUGIN_DIR', __DIR__ . '/' );

require_once TAGGATE_PLUGIN_DIR . 'includes/autoload.php';
require_once TAGGATE_PLUGIN_DIR . 'includes/functions.php';

register_activation_hook( __FILE__, array( \TagGate\WP\Installer::class, 'activate' ) );
register_deactivation_hook( __FILE__, array( \TagGate\WP\Installer::class, 'deactivate' ) );

add_action( 'plugins_loaded', array( \TagGate\WP\Plugin::class, 'boot' ) );
