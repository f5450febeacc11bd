<?php
/**
 * Tools → Site Health: four tests (the extension and its version, the
 * secrets, the tables, recent delivery failures) and a TagGate section in
 * the Info tab (no secret in either).
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Site Health.
 */
final class Site_Health {

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		add_filter( 'site_status_tests', array( __CLASS__, 'tests' ) );
		add_filter( 'debug_information', array( __CLASS__, 'debug_information' ) );
	}

	/**
	 * Registers the tests.
	 *
	 * @param array $tests Tests.
	 * @return array
	 */
	public static function tests( $tests ) {
		$tests['direct']['taggate_extension'] = array(
			'label' => __( 'TagGate extension', 'taggate' ),
			'test'  => array( __CLASS__, 'test_extension' ),
		);
		$tests['direct']['taggate_secrets']   = array(
			'label' => __( 'TagGate secrets', 'taggate' ),
			'test'  => array( __CLASS__, 'test_secrets' ),
		);
		$tests['direct']['taggate_tables']    = array(
			'label' => __( 'TagGate tables', 'taggate' ),
			'test'  => array( __CLASS__, 'test_tables' ),
		);
		$tests['direct']['taggate_deliveries'] = array(
			'label' => __( 'TagGate deliveries', 'taggate' ),
			'test'  => array( __CLASS__, 'test_deliveries' ),
		);
		return $tests;
	}

	/**
	 * A result array.
	 *
	 * @param string $test        Test id.
	 * @param string $status      good, recommended or critical.
	 * @param string $label       Label.
	 * @param string $description Description (HTML, escaped by the caller).
	 * @param string $actions     Actions (HTML).
	 * @return array
	 */
	private static function result( $test, $status, $label, $description, $actions = '' ) {
		return array(
			'label'       => $label,
			'status'      => $status,
			'badge'       => array(
				'label' => __( 'Security', 'taggate' ),
				'color' => 'critical' === $status ? 'red' : 'blue',
			),
			'description' => $description,
			'actions'     => $actions,
			'test'        => $test,
		);
	}

	/**
	 * Test: the extension is loaded; its version.
	 *
	 * @return array
	 */
	public static function test_extension() {
		if ( ! Plugin::extension_loaded() ) {
			return self::result(
				'taggate_extension',
				'critical',
				__( 'The taggate PHP extension is not loaded', 'taggate' ),
				'<p>' . esc_html( Admin_Notices::missing_extension_text() ) . '</p>'
			);
		}
		return self::result(
			'taggate_extension',
			'good',
			/* translators: %s: version. */
			sprintf( __( 'The taggate PHP extension %s is loaded', 'taggate' ), function_exists( 'taggate_version' ) ? taggate_version() : '?' ),
			'<p>' . esc_html__( 'Rules, tag sets and webhook signatures are handled by the extension.', 'taggate' ) . '</p>'
		);
	}

	/**
	 * Test: a webhook secret and a CRM key are configured.
	 *
	 * @return array
	 */
	public static function test_secrets() {
		$link = '<p><a href="' . esc_url( Admin_Settings::url() ) . '">' . esc_html__( 'TagGate settings', 'taggate' ) . '</a></p>';
		if ( ! Settings::secrets() ) {
			return self::result(
				'taggate_secrets',
				'critical',
				__( 'TagGate has no webhook secret', 'taggate' ),
				'<p>' . esc_html__( 'The webhook answers 503 until a secret is generated on the settings page (or set by TAGGATE_WEBHOOK_SECRETS).', 'taggate' ) . '</p>',
				$link
			);
		}
		if ( '' === (string) Settings::get( 'crm_key' ) ) {
			return self::result(
				'taggate_secrets',
				'recommended',
				__( 'TagGate has a webhook secret but no CRM URL key', 'taggate' ),
				'<p>' . esc_html__( 'Signed webhooks work. The CRM URLs (for CRMs that cannot sign) answer 503 until a key is generated.', 'taggate' ) . '</p>',
				$link
			);
		}
		return self::result(
			'taggate_secrets',
			'good',
			__( 'TagGate\'s webhook secret and CRM key are configured', 'taggate' ),
			'<p>' . esc_html(
				sprintf(
					/* translators: %d: number of secrets. */
					_n( '%d secret verifies deliveries.', '%d secrets verify deliveries (a rotation is under way).', count( Settings::secrets() ), 'taggate' ),
					count( Settings::secrets() )
				)
			) . '</p>'
		);
	}

	/**
	 * The plugin's tables that are missing.
	 *
	 * @return string[]
	 */
	private static function missing_tables() {
		global $wpdb;
		$missing = array();
		foreach ( Installer::tables() as $table ) {
			// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- a health check.
			$found = $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
			if ( $found !== $table ) {
				$missing[] = $table;
			}
		}
		return $missing;
	}

	/**
	 * Test: the tables exist.
	 *
	 * @return array
	 */
	public static function test_tables() {
		$missing = self::missing_tables();
		if ( $missing ) {
			return self::result(
				'taggate_tables',
				'critical',
				__( 'TagGate\'s database tables are missing', 'taggate' ),
				'<p>' . esc_html(
					sprintf(
						/* translators: %s: table names. */
						__( 'Missing: %s. Deactivate and activate the plugin to create them.', 'taggate' ),
						implode( ', ', $missing )
					)
				) . '</p>'
			);
		}
		return self::result(
			'taggate_tables',
			'good',
			__( 'TagGate\'s database tables are present', 'taggate' ),
			'<p>' . esc_html( implode( ', ', Installer::tables() ) ) . '</p>'
		);
	}

	/**
	 * Test: deliveries that failed in the last 24 hours.
	 *
	 * @return array
	 */
	public static function test_deliveries() {
		if ( self::missing_tables() ) {
			return self::result( 'taggate_deliveries', 'recommended', __( 'TagGate\'s delivery log cannot be read', 'taggate' ), '<p>' . esc_html__( 'Its table is missing.', 'taggate' ) . '</p>' );
		}
		$since    = time() - DAY_IN_SECONDS;
		$failed   = Delivery_Log::count(
			array(
				'outcome' => 'failed',
				'since'   => $since,
			)
		);
		$rejected = Delivery_Log::count(
			array(
				'outcome' => 'rejected',
				'since'   => $since,
			)
		);
		$applied  = Delivery_Log::count(
			array(
				'outcome' => 'applied',
				'since'   => $since,
			)
		);
		$actions  = '<p><a href="' . esc_url( Admin_Log::url( array( 'outcome' => $failed ? 'failed' : 'rejected' ) ) ) . '">' . esc_html__( 'Open the delivery log', 'taggate' ) . '</a></p>';
		$summary  = sprintf(
			/* translators: 1: applied, 2: rejected, 3: failed. */
			__( 'In the last 24 hours: %1$d applied, %2$d rejected (4xx), %3$d failed (5xx).', 'taggate' ),
			$applied,
			$rejected,
			$failed
		);
		if ( $failed > 0 ) {
			return self::result( 'taggate_deliveries', 'critical', __( 'TagGate deliveries failed recently', 'taggate' ), '<p>' . esc_html( $summary ) . '</p>', $actions );
		}
		if ( $rejected > 0 ) {
			return self::result( 'taggate_deliveries', 'recommended', __( 'TagGate rejected deliveries recently', 'taggate' ), '<p>' . esc_html( $summary ) . ' ' . esc_html__( 'A rejected delivery usually means a CRM with the wrong secret, URL key, adapter or tags.', 'taggate' ) . '</p>', $actions );
		}
		return self::result( 'taggate_deliveries', 'good', __( 'No TagGate delivery failed in the last 24 hours', 'taggate' ), '<p>' . esc_html( $summary ) . '</p>' );
	}

	/**
	 * The Info tab section.
	 *
	 * @param array $info Sections.
	 * @return array
	 */
	public static function debug_information( $info ) {
		$loaded = Plugin::extension_loaded();
		$fields = array(
			'extension' => array(
				'label' => __( 'Extension', 'taggate' ),
				'value' => $loaded ? ( function_exists( 'taggate_version' ) ? taggate_version() : __( 'loaded', 'taggate' ) ) : __( 'not loaded', 'taggate' ),
			),
			'plugin'    => array(
				'label' => __( 'Plugin version', 'taggate' ),
				'value' => TAGGATE_PLUGIN_VERSION,
			),
			'scheme'    => array(
				'label' => __( 'Signature scheme', 'taggate' ),
				'value' => (string) Settings::get( 'scheme' ),
			),
			'secrets'   => array(
				'label'   => __( 'Active secrets', 'taggate' ),
				'value'   => (string) count( Settings::secrets() ),
				'private' => true,
			),
			'adapter'   => array(
				'label' => __( 'CRM adapter', 'taggate' ),
				'value' => (string) Settings::get( 'crm_adapter' ),
			),
			'types'     => array(
				'label' => __( 'Gated post types', 'taggate' ),
				'value' => implode( ', ', Gate_Config::post_types() ),
			),
		);
		if ( $loaded && function_exists( 'taggate_cache_stats' ) ) {
			$stats            = taggate_cache_stats();
			$fields['cache'] = array(
				'label' => __( 'Rule cache', 'taggate' ),
				'value' => sprintf( 'size %d / %d, hits %d, misses %d', $stats['size'] ?? 0, $stats['capacity'] ?? 0, $stats['hits'] ?? 0, $stats['misses'] ?? 0 ),
			);
		}
		$info['taggate'] = array(
			'label'  => __( 'TagGate', 'taggate' ),
			'fields' => $fields,
		);
		return $info;
	}
}
