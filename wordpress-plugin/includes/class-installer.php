<?php
/**
 * Activation, schema upgrades, deactivation, uninstall.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Installs and removes TagGate's tables, options and capability.
 */
final class Installer {

	/** Schema version; bump to run dbDelta again on existing sites. */
	const DB_VERSION = '1';

	/** Option holding the installed schema version. */
	const DB_VERSION_OPTION = 'taggate_db_version';

	/** The capability that passes every rule. */
	const BYPASS_CAP = 'taggate_bypass';

	/**
	 * Hooks: schema upgrade after a plugin update, per-site install on
	 * multisite, clean-up when a user is deleted, the missing-extension notice.
	 */
	public static function register() {
		if ( get_option( self::DB_VERSION_OPTION ) !== self::DB_VERSION ) {
			self::install_site();
		}
		add_action( 'wp_initialize_site', array( __CLASS__, 'on_new_site' ), 200 );
		add_action( 'deleted_user', array( __CLASS__, 'on_deleted_user' ) );
		if ( ! Plugin::extension_loaded() && ! class_exists( Admin_Notices::class ) ) {
			add_action( 'admin_notices', array( __CLASS__, 'missing_extension_notice' ) );
		}
	}

	/**
	 * Activation hook: tables, capability, cron, on one site or (network-wide)
	 * on every site of the network.
	 *
	 * @param bool $network_wide Network activation.
	 */
	public static function activate( $network_wide = false ) {
		if ( is_multisite() && $network_wide ) {
			foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $site_id ) {
				switch_to_blog( (int) $site_id );
				self::install_site();
				restore_current_blog();
			}
			return;
		}
		self::install_site();
	}

	/**
	 * Deactivation hook: stops the cron job, keeps every table and option.
	 *
	 * @param bool $network_wide Network deactivation.
	 */
	public static function deactivate( $network_wide = false ) {
		unset( $network_wide );
		Cron::unschedule();
	}

	/**
	 * A site created on a network where TagGate is network-active.
	 *
	 * @param \WP_Site $site New site.
	 */
	public static function on_new_site( $site ) {
		if ( ! function_exists( 'is_plugin_active_for_network' ) ) {
			require_once ABSPATH . 'wp-admin/includes/plugin.php';
		}
		if ( is_plugin_active_for_network( plugin_basename( TAGGATE_PLUGIN_FILE ) ) ) {
			switch_to_blog( (int) $site->blog_id );
			self::install_site();
			restore_current_blog();
		}
	}

	/**
	 * A deleted user's tags and login links go with them.
	 *
	 * @param int $user_id User id.
	 */
	public static function on_deleted_user( $user_id ) {
		try {
			Tag_Store::delete_user( (int) $user_id );
			Login_Links::delete_user( (int) $user_id );
		} catch ( Db_Exception $e ) {
			// Tables missing (plugin half-installed): nothing to clean.
			unset( $e );
		}
	}

	/**
	 * Creates or upgrades the tables of the current site and grants the
	 * bypass capability to administrators.
	 */
	public static function install_site() {
		self::create_tables();
		$admin = get_role( 'administrator' );
		if ( $admin && ! $admin->has_cap( self::BYPASS_CAP ) ) {
			$admin->add_cap( self::BYPASS_CAP );
		}
		if ( false === get_option( Settings::OPTION, false ) ) {
			add_option( Settings::OPTION, array(), '', 'yes' );
		}
		update_option( self::DB_VERSION_OPTION, self::DB_VERSION, true );
		Cron::schedule();
	}

	/**
	 * The CREATE TABLE statements (dbDelta format).
	 *
	 * @return string[]
	 */
	public static function schema() {
		global $wpdb;
		$charset = $wpdb->get_charset_collate();
		$p       = $wpdb->prefix;
		return array(
			// One row per (user, tag key). tag_hash = SHA-1 of the key (SPEC §1).
			"CREATE TABLE {$p}taggate_tags (
  user_id bigint(20) unsigned NOT NULL,
  tag_hash binary(20) NOT NULL,
  tag varchar(255) NOT NULL,
  applied_at bigint(20) NOT NULL DEFAULT 0,
  seq bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  PRIMARY KEY  (user_id,tag_hash),
  KEY seq (seq),
  KEY tag_hash (tag_hash)
) $charset;",
			// One row per user whose tags ever changed: the row lock that
			// serialises changes, and a version for caches.
			"CREATE TABLE {$p}taggate_users (
  user_id bigint(20) unsigned NOT NULL,
  version bigint(20) unsigned NOT NULL DEFAULT 0,
  updated_at bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY  (user_id)
) $charset;",
			// Row locks per contact e-mail / CRM id while a command resolves it.
			"CREATE TABLE {$p}taggate_locks (
  lock_hash binary(20) NOT NULL,
  touched_at bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY  (lock_hash),
  KEY touched_at (touched_at)
) $charset;",
			"CREATE TABLE {$p}taggate_deliveries (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  delivery_key binary(32) DEFAULT NULL,
  delivery_id varchar(255) NOT NULL DEFAULT '',
  received_at bigint(20) NOT NULL DEFAULT 0,
  source varchar(20) NOT NULL DEFAULT '',
  scheme varchar(32) NOT NULL DEFAULT '',
  command varchar(32) NOT NULL DEFAULT '',
  contact varchar(254) NOT NULL DEFAULT '',
  user_id bigint(20) unsigned NOT NULL DEFAULT 0,
  outcome varchar(20) NOT NULL DEFAULT '',
  status smallint(5) unsigned NOT NULL DEFAULT 0,
  error_code varchar(64) NOT NULL DEFAULT '',
  error_message varchar(255) NOT NULL DEFAULT '',
  body_sha256 char(64) NOT NULL DEFAULT '',
  body_size int(10) unsigned NOT NULL DEFAULT 0,
  duration_ms int(10) unsigned NOT NULL DEFAULT 0,
  PRIMARY KEY  (id),
  UNIQUE KEY delivery_key (delivery_key),
  KEY received_at (received_at),
  KEY status (status),
  KEY user_id (user_id)
) $charset;",
			// Login links: only the SHA-256 of the token is stored.
			"CREATE TABLE {$p}taggate_login_links (
  token_hash binary(32) NOT NULL,
  user_id bigint(20) unsigned NOT NULL,
  created_at bigint(20) NOT NULL DEFAULT 0,
  expires_at bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY  (token_hash),
  KEY user_id (user_id),
  KEY expires_at (expires_at)
) $charset;",
		);
	}

	/**
	 * The table names of the current site.
	 *
	 * @return string[]
	 */
	public static function tables() {
		global $wpdb;
		return array(
			$wpdb->prefix . 'taggate_tags',
			$wpdb->prefix . 'taggate_users',
			$wpdb->prefix . 'taggate_locks',
			$wpdb->prefix . 'taggate_deliveries',
			$wpdb->prefix . 'taggate_login_links',
		);
	}

	/**
	 * Runs dbDelta for every table.
	 */
	public static function create_tables() {
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		global $wpdb;
		$suppress = $wpdb->suppress_errors( true );
		dbDelta( self::schema() );
		$wpdb->suppress_errors( $suppress );
	}

	/**
	 * Removes everything of the current site: tables, options, user meta,
	 * capability, cron. Called by uninstall.php.
	 */
	public static function uninstall_site() {
		global $wpdb;
		Cron::unschedule();
		foreach ( self::tables() as $table ) {
			$wpdb->query( "DROP TABLE IF EXISTS `$table`" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.DirectDatabaseQuery.SchemaChange
		}
		delete_option( Settings::OPTION );
		delete_option( self::DB_VERSION_OPTION );
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'taggate_' ) . '%' ) );
		foreach ( wp_roles()->role_objects as $role ) {
			if ( $role->has_cap( self::BYPASS_CAP ) ) {
				$role->remove_cap( self::BYPASS_CAP );
			}
		}
	}

	/**
	 * Network-wide part of the uninstall: user meta (users are shared) and the
	 * capability granted to single users.
	 */
	public static function uninstall_users() {
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->usermeta} WHERE meta_key LIKE %s", $wpdb->esc_like( 'taggate_' ) . '%' ) );
		$cap_key = $wpdb->get_blog_prefix() . 'capabilities';
		$ids     = $wpdb->get_col( $wpdb->prepare( "SELECT user_id FROM {$wpdb->usermeta} WHERE meta_key = %s AND meta_value LIKE %s", $cap_key, '%' . $wpdb->esc_like( self::BYPASS_CAP ) . '%' ) );
		foreach ( $ids as $id ) {
			$user = new \WP_User( (int) $id );
			if ( $user->exists() ) {
				$user->remove_cap( self::BYPASS_CAP );
			}
		}
		wp_cache_flush();
	}

	/**
	 * Tells administrators why TagGate is not working (when part 2's notices
	 * are not there to do it).
	 */
	public static function missing_extension_notice() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		printf(
			'<div class="notice notice-error"><p>%s</p></div>',
			esc_html__( 'TagGate needs the taggate PHP extension, which this PHP has not loaded. Protected content stays hidden and the webhook endpoints answer 503 until it is installed and PHP is restarted.', 'taggate' )
		);
	}
}
