<?php
/**
 * Settings → TagGate: the settings page (WordPress Settings API).
 *
 * - Webhook: signature scheme, timestamp tolerance, body limit; the secret is
 *   generated with a CSPRNG (random_bytes), shown once right after it is made,
 *   then only by fingerprint; "Rotate" keeps the previous secret valid for a
 *   configurable window (default 24 hours).
 * - CRM: adapter, the URL key (regenerate), the URLs to paste, Kit's secret.
 * - Accounts: the roles webhook-created users may get; login link lifetime.
 * - Gating: gated post types, default denied message and redirect.
 * - Delivery log retention.
 *
 * Values fixed by TAGGATE_* constants in wp-config.php are shown read-only.
 * Part 1's keys are stored through its Settings class (option
 * `taggate_settings`); the gating keys in the option `taggate_gating`.
 * Every action checks manage_options and a nonce.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The settings page.
 */
final class Admin_Settings {

	const SLUG       = 'taggate';
	const GROUP      = 'taggate';
	const CAP        = 'manage_options';
	const FORM_FLAG  = '_taggate_form';
	const ADAPTERS   = array( 'activecampaign', 'keap', 'ontraport', 'drip', 'kit', 'mailchimp', 'generic' );
	const FORM_KEYS  = array( 'scheme', 'tolerance', 'max_body_bytes', 'crm_adapter', 'allowed_roles', 'login_link_ttl', 'log_retention_days' );
	const NEW_SECRET = 'taggate_new_secret_';

	/**
	 * The page's hook suffix.
	 *
	 * @var string
	 */
	private static $hook = '';

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		if ( ! is_admin() ) {
			return; // wp-admin screens only (admin-post.php and admin-ajax.php included).
		}
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'register_settings' ) );
		add_action( 'admin_post_taggate_secret', array( __CLASS__, 'handle_secret' ) );
		add_action( 'admin_post_taggate_crm_key', array( __CLASS__, 'handle_crm_key' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( TAGGATE_PLUGIN_FILE ), array( __CLASS__, 'action_links' ) );
	}

	/**
	 * The page's URL.
	 *
	 * @param array $args Query arguments.
	 * @return string
	 */
	public static function url( array $args = array() ) {
		return add_query_arg( array_merge( array( 'page' => self::SLUG ), $args ), admin_url( 'options-general.php' ) );
	}

	/**
	 * Adds the page.
	 */
	public static function menu() {
		self::$hook = (string) add_options_page(
			__( 'TagGate', 'taggate' ),
			__( 'TagGate', 'taggate' ),
			self::CAP,
			self::SLUG,
			array( __CLASS__, 'render' )
		);
	}

	/**
	 * "Settings" link on the plugins screen.
	 *
	 * @param string[] $links Links.
	 * @return string[]
	 */
	public static function action_links( $links ) {
		array_unshift( $links, '<a href="' . esc_url( self::url() ) . '">' . esc_html__( 'Settings', 'taggate' ) . '</a>' );
		return $links;
	}

	/**
	 * The stylesheet, on this page only.
	 *
	 * @param string $hook_suffix Page.
	 */
	public static function enqueue( $hook_suffix ) {
		if ( '' !== self::$hook && self::$hook === $hook_suffix ) {
			Gate_Assets::enqueue_admin_style();
		}
	}

	/**
	 * The CRM adapters offered: name => label.
	 *
	 * @return array<string, string>
	 */
	public static function adapters() {
		$out = array();
		if ( class_exists( Crm_Adapters::class ) && method_exists( Crm_Adapters::class, 'all' ) ) {
			foreach ( Crm_Adapters::all() as $name => $adapter ) {
				$out[ (string) $name ] = is_array( $adapter ) && isset( $adapter['label'] ) ? (string) $adapter['label'] : (string) $name;
			}
		}
		if ( ! $out ) {
			$out = array_combine( self::ADAPTERS, self::ADAPTERS );
		}
		return $out;
	}

	/**
	 * Registers the two options, their sections and fields.
	 */
	public static function register_settings() {
		register_setting(
			self::GROUP,
			Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize_core' ),
				'show_in_rest'      => false,
			)
		);
		register_setting(
			self::GROUP,
			Gate_Config::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize_gating' ),
				'show_in_rest'      => false,
				'default'           => Gate_Config::defaults(),
			)
		);
		add_action( 'update_option_' . Settings::OPTION, array( __CLASS__, 'after_update' ), 10, 0 );
		add_action( 'update_option_' . Gate_Config::OPTION, array( __CLASS__, 'after_update' ), 10, 0 );

		$page = self::SLUG;
		add_settings_section( 'taggate_webhook', __( 'Webhook', 'taggate' ), array( __CLASS__, 'section_webhook' ), $page );
		add_settings_field( 'scheme', __( 'Signature scheme', 'taggate' ), array( __CLASS__, 'field_scheme' ), $page, 'taggate_webhook', array( 'label_for' => 'taggate-scheme' ) );
		add_settings_field( 'tolerance', __( 'Timestamp tolerance', 'taggate' ), array( __CLASS__, 'field_number' ), $page, 'taggate_webhook', array( 'key' => 'tolerance', 'unit' => __( 'seconds', 'taggate' ), 'min' => 1, 'max' => DAY_IN_SECONDS, 'label_for' => 'taggate-tolerance' ) );
		add_settings_field( 'max_body_bytes', __( 'Largest body', 'taggate' ), array( __CLASS__, 'field_number' ), $page, 'taggate_webhook', array( 'key' => 'max_body_bytes', 'unit' => __( 'bytes', 'taggate' ), 'min' => 1, 'max' => 64 * MB_IN_BYTES, 'label_for' => 'taggate-max_body_bytes' ) );
		add_settings_field( 'rotation_hours', __( 'Rotation window', 'taggate' ), array( __CLASS__, 'field_rotation' ), $page, 'taggate_webhook', array( 'label_for' => 'taggate-rotation_hours' ) );

		add_settings_section( 'taggate_crm', __( 'CRM', 'taggate' ), array( __CLASS__, 'section_crm' ), $page );
		add_settings_field( 'crm_adapter', __( 'CRM adapter', 'taggate' ), array( __CLASS__, 'field_adapter' ), $page, 'taggate_crm', array( 'label_for' => 'taggate-crm_adapter' ) );
		add_settings_field( 'kit_secret', __( 'Kit signing secret', 'taggate' ), array( __CLASS__, 'field_kit_secret' ), $page, 'taggate_crm', array( 'label_for' => 'taggate-kit_secret' ) );
		add_settings_field( 'ontraport_tag_map', __( 'Ontraport tag names', 'taggate' ), array( __CLASS__, 'field_ontraport_map' ), $page, 'taggate_crm', array( 'label_for' => 'taggate-ontraport_tag_map' ) );

		add_settings_section( 'taggate_accounts', __( 'Accounts', 'taggate' ), array( __CLASS__, 'section_accounts' ), $page );
		add_settings_field( 'allowed_roles', __( 'Roles for webhook-created users', 'taggate' ), array( __CLASS__, 'field_roles' ), $page, 'taggate_accounts' );
		add_settings_field( 'login_link_ttl', __( 'Login link lifetime', 'taggate' ), array( __CLASS__, 'field_number' ), $page, 'taggate_accounts', array( 'key' => 'login_link_ttl', 'unit' => __( 'seconds (60 to 86400)', 'taggate' ), 'min' => 60, 'max' => DAY_IN_SECONDS, 'label_for' => 'taggate-login_link_ttl' ) );

		add_settings_section( 'taggate_gating', __( 'Protected content', 'taggate' ), array( __CLASS__, 'section_gating' ), $page );
		add_settings_field( 'post_types', __( 'Gated post types', 'taggate' ), array( __CLASS__, 'field_post_types' ), $page, 'taggate_gating' );
		add_settings_field( 'denied_message', __( 'Message for those who may not read', 'taggate' ), array( __CLASS__, 'field_denied_message' ), $page, 'taggate_gating', array( 'label_for' => 'taggate-denied_message' ) );
		add_settings_field( 'denied_redirect', __( 'Or send them to', 'taggate' ), array( __CLASS__, 'field_denied_redirect' ), $page, 'taggate_gating', array( 'label_for' => 'taggate-denied_redirect' ) );

		add_settings_section( 'taggate_log', __( 'Delivery log', 'taggate' ), '__return_false', $page );
		add_settings_field( 'log_retention_days', __( 'Keep deliveries for', 'taggate' ), array( __CLASS__, 'field_number' ), $page, 'taggate_log', array( 'key' => 'log_retention_days', 'unit' => __( 'days (at least 7)', 'taggate' ), 'min' => 7, 'max' => 3650, 'label_for' => 'taggate-log_retention_days' ) );
	}

	/*
	 * ------------------------------------------------------------------
	 * Saving.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Sanitises the part-1 option when this page's form posts it. Any other
	 * write of the option (Settings::update) passes through untouched.
	 * (options.php has already unslashed the input.)
	 *
	 * @param mixed $input Posted value.
	 * @return mixed
	 */
	public static function sanitize_core( $input ) {
		if ( ! is_array( $input ) || empty( $input[ self::FORM_FLAG ] ) ) {
			return $input;
		}
		if ( ! current_user_can( self::CAP ) ) {
			return get_option( Settings::OPTION, array() );
		}
		$stored = get_option( Settings::OPTION, array() );
		$stored = is_array( $stored ) ? $stored : array();
		foreach ( self::FORM_KEYS as $key ) {
			if ( Settings::is_constant( $key ) ) {
				continue;
			}
			if ( 'allowed_roles' === $key ) {
				$value = isset( $input[ $key ] ) && is_array( $input[ $key ] ) ? array_values( $input[ $key ] ) : array();
				$value = array_values( array_filter( array_map( 'sanitize_key', $value ), array( Settings::class, 'role_is_safe' ) ) );
				if ( ! $value ) {
					add_settings_error( self::SLUG, 'allowed_roles', esc_html__( 'Keep at least one role for webhook-created users; the roles were not changed.', 'taggate' ) );
					continue;
				}
			} elseif ( ! array_key_exists( $key, $input ) ) {
				continue;
			} else {
				$value = is_scalar( $input[ $key ] ) ? (string) $input[ $key ] : '';
			}
			$clean = Settings::sanitize( $key, $value );
			if ( is_wp_error( $clean ) ) {
				/* translators: 1: setting, 2: problem. */
				add_settings_error( self::SLUG, $key, esc_html( sprintf( __( '%1$s was not changed: %2$s', 'taggate' ), self::label( $key ), $clean->get_error_message() ) ) );
				continue;
			}
			$stored[ $key ] = $clean;
		}
		// Ontraport's tag id => name map, one "id = name" a line.
		if ( isset( $input['ontraport_tag_map'] ) && is_string( $input['ontraport_tag_map'] ) ) {
			$map = array();
			foreach ( preg_split( '/\r\n|\r|\n/', $input['ontraport_tag_map'] ) as $line ) {
				$pair = array_map( 'trim', explode( '=', $line, 2 ) );
				if ( 2 === count( $pair ) && '' !== $pair[0] && '' !== $pair[1] ) {
					$map[ $pair[0] ] = $pair[1];
				}
			}
			$clean = Settings::sanitize( 'ontraport_tag_map', $map );
			if ( ! is_wp_error( $clean ) ) {
				$stored['ontraport_tag_map'] = $clean;
			}
		}
		// Kit's secret: write-only. Empty keeps it; the checkbox clears it.
		if ( ! Settings::is_constant( 'kit_secret' ) ) {
			if ( ! empty( $input['kit_secret_clear'] ) ) {
				$stored['kit_secret'] = '';
			} elseif ( isset( $input['kit_secret'] ) && is_string( $input['kit_secret'] ) && '' !== trim( $input['kit_secret'] ) ) {
				$clean = Settings::sanitize( 'kit_secret', $input['kit_secret'] );
				if ( is_wp_error( $clean ) ) {
					add_settings_error( self::SLUG, 'kit_secret', esc_html( $clean->get_error_message() ) );
				} else {
					$stored['kit_secret'] = $clean;
				}
			}
		}
		return $stored;
	}

	/**
	 * The label of a setting, for messages.
	 *
	 * @param string $key Key.
	 * @return string
	 */
	private static function label( $key ) {
		$labels = array(
			'scheme'             => __( 'Signature scheme', 'taggate' ),
			'tolerance'          => __( 'Timestamp tolerance', 'taggate' ),
			'max_body_bytes'     => __( 'Largest body', 'taggate' ),
			'crm_adapter'        => __( 'CRM adapter', 'taggate' ),
			'allowed_roles'      => __( 'Roles for webhook-created users', 'taggate' ),
			'login_link_ttl'     => __( 'Login link lifetime', 'taggate' ),
			'log_retention_days' => __( 'Keep deliveries for', 'taggate' ),
		);
		return isset( $labels[ $key ] ) ? $labels[ $key ] : $key;
	}

	/**
	 * Sanitises the gating option.
	 *
	 * @param mixed $input Posted value.
	 * @return array
	 */
	public static function sanitize_gating( $input ) {
		$current = get_option( Gate_Config::OPTION, array() );
		$current = array_merge( Gate_Config::defaults(), is_array( $current ) ? $current : array() );
		if ( ! is_array( $input ) ) {
			return $current;
		}
		if ( empty( $input[ self::FORM_FLAG ] ) ) {
			// A programmatic update: keep known keys only.
			return array_intersect_key( array_merge( $current, $input ), Gate_Config::defaults() );
		}
		if ( ! current_user_can( self::CAP ) ) {
			return $current;
		}
		$out = $current;

		$public = array_keys( self::gateable_post_types() );
		$types  = isset( $input['post_types'] ) && is_array( $input['post_types'] ) ? array_map( 'sanitize_key', $input['post_types'] ) : array();
		$out['post_types'] = array_values( array_intersect( $public, $types ) );

		$message               = isset( $input['denied_message'] ) && is_string( $input['denied_message'] ) ? $input['denied_message'] : '';
		$out['denied_message'] = trim( wp_kses_post( $message ) );

		$redirect = isset( $input['denied_redirect'] ) && is_string( $input['denied_redirect'] ) ? trim( $input['denied_redirect'] ) : '';
		if ( '' === $redirect ) {
			$out['denied_redirect'] = '';
		} else {
			$absolute = ( '/' === $redirect[0] && ( ! isset( $redirect[1] ) || '/' !== $redirect[1] ) ) ? home_url( $redirect ) : $redirect;
			if ( '' === wp_validate_redirect( esc_url_raw( $absolute ), '' ) ) {
				add_settings_error( self::SLUG, 'denied_redirect', esc_html__( 'The redirect must be a page of this site; it was not changed.', 'taggate' ) );
			} else {
				$out['denied_redirect'] = esc_url_raw( $redirect );
			}
		}

		$hours = isset( $input['rotation_hours'] ) ? (float) $input['rotation_hours'] : 24;
		$out['rotation_hours'] = max( 0, min( 720, $hours ) );
		return $out;
	}

	/**
	 * After either option changed: drop cached values; tell part 1.
	 */
	public static function after_update() {
		Gate_Config::flush();
		if ( method_exists( Settings::class, 'flush_cache' ) ) {
			Settings::flush_cache();
		}
	}

	/**
	 * admin-post.php?action=taggate_secret: generate or rotate the secret.
	 */
	public static function handle_secret() {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'taggate' ), 403 );
		}
		check_admin_referer( 'taggate_secret' );
		$notice = 'secret_rotated';
		try {
			$had    = '' !== (string) Settings::get( 'secret' );
			$window = $had ? Gate_Config::rotation_seconds() : 0;
			if ( isset( $_POST['rotation_hours'] ) && is_numeric( $_POST['rotation_hours'] ) ) {
				$hours  = max( 0, min( 720, (float) $_POST['rotation_hours'] ) );
				$window = $had ? (int) round( $hours * HOUR_IN_SECONDS ) : 0;
			}
			$secret = Settings::rotate_secret( $window );
			// Shown once, to this administrator, on the next page load.
			set_transient( self::NEW_SECRET . get_current_user_id(), $secret, 10 * MINUTE_IN_SECONDS );
			$notice = $had ? 'secret_rotated' : 'secret_generated';
		} catch ( \LogicException $e ) {
			$notice = 'secret_constant';
		}
		wp_safe_redirect( self::url( array( 'taggate_notice' => $notice ) ) );
		exit;
	}

	/**
	 * admin-post.php?action=taggate_crm_key: a new CRM URL key.
	 */
	public static function handle_crm_key() {
		if ( ! current_user_can( self::CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.', 'taggate' ), 403 );
		}
		check_admin_referer( 'taggate_crm_key' );
		try {
			Settings::regenerate_crm_key();
			$notice = 'crm_key';
		} catch ( \LogicException $e ) {
			$notice = 'crm_key_constant';
		}
		wp_safe_redirect( self::url( array( 'taggate_notice' => $notice ) ) );
		exit;
	}

	/*
	 * ------------------------------------------------------------------
	 * Rendering.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Public post types that can be gated (attachments are served by the
	 * web server and cannot be).
	 *
	 * @return array<string, string> slug => label
	 */
	public static function gateable_post_types() {
		$out = array();
		foreach ( get_post_types( array( 'public' => true ), 'objects' ) as $slug => $object ) {
			if ( 'attachment' !== $slug ) {
				$out[ $slug ] = $object->labels->name;
			}
		}
		return $out;
	}

	/**
	 * "Set by TAGGATE_X in wp-config.php" for a key fixed by a constant.
	 *
	 * @param string $key Setting key.
	 * @return bool Whether the key is fixed.
	 */
	private static function constant_note( $key ) {
		if ( ! Settings::is_constant( $key ) ) {
			return false;
		}
		printf(
			'<p class="description taggate-constant">%s</p>',
			sprintf(
				/* translators: %s: constant name. */
				esc_html__( 'Set by %s in wp-config.php (read-only here).', 'taggate' ),
				'<code>' . esc_html( Settings::constant_name( $key ) ) . '</code>'
			)
		);
		return true;
	}

	/**
	 * The notices of the last action.
	 */
	private static function action_notice() {
		$notice = isset( $_GET['taggate_notice'] ) ? sanitize_key( wp_unslash( $_GET['taggate_notice'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a message to show, no action.
		$texts  = array(
			'secret_rotated'   => array( 'success', __( 'The webhook secret was rotated. The previous secret keeps verifying until the end of the rotation window.', 'taggate' ) ),
			'secret_generated' => array( 'success', __( 'A webhook secret was generated.', 'taggate' ) ),
			'secret_constant'  => array( 'error', __( 'The secrets are set by TAGGATE_WEBHOOK_SECRETS in wp-config.php; change them there.', 'taggate' ) ),
			'crm_key'          => array( 'success', __( 'A new CRM URL key was generated. Update the URLs in your CRM: the old ones no longer work.', 'taggate' ) ),
			'crm_key_constant' => array( 'error', __( 'The CRM key is set by TAGGATE_CRM_KEY in wp-config.php; change it there.', 'taggate' ) ),
		);
		if ( isset( $texts[ $notice ] ) ) {
			printf( '<div class="notice notice-%1$s is-dismissible"><p>%2$s</p></div>', esc_attr( $texts[ $notice ][0] ), esc_html( $texts[ $notice ][1] ) );
		}
	}

	/**
	 * Renders the page.
	 */
	public static function render() {
		if ( ! current_user_can( self::CAP ) ) {
			return;
		}
		?>
		<div class="wrap taggate-settings">
			<h1><?php esc_html_e( 'TagGate', 'taggate' ); ?></h1>
			<?php
			// (Settings errors are printed by wp-admin/options-head.php on settings pages.)
			self::action_notice();
			if ( ! Plugin::extension_loaded() ) {
				echo '<div class="notice notice-error inline"><p>' . esc_html( Admin_Notices::missing_extension_text() ) . '</p></div>';
			}
			self::render_secrets();
			self::render_crm_urls();
			?>
			<form method="post" action="options.php" class="taggate-settings-form">
				<?php
				settings_fields( self::GROUP );
				printf( '<input type="hidden" name="%s[%s]" value="1" />', esc_attr( Settings::OPTION ), esc_attr( self::FORM_FLAG ) );
				printf( '<input type="hidden" name="%s[%s]" value="1" />', esc_attr( Gate_Config::OPTION ), esc_attr( self::FORM_FLAG ) );
				do_settings_sections( self::SLUG );
				submit_button();
				?>
			</form>
		</div>
		<?php
	}

	/**
	 * The secrets box: status by fingerprint, the new secret once, rotate.
	 */
	private static function render_secrets() {
		$user_key = self::NEW_SECRET . get_current_user_id();
		$new      = get_transient( $user_key );
		if ( false !== $new ) {
			delete_transient( $user_key );
		}
		$constant = Settings::is_constant( 'secret' );
		$current  = (string) Settings::get( 'secret' );
		$previous = (string) Settings::get( 'previous_secret' );
		$expires  = (int) Settings::get( 'previous_secret_expires' );
		?>
		<div class="taggate-card taggate-secrets" id="taggate-secrets">
			<h2><?php esc_html_e( 'Webhook secret', 'taggate' ); ?></h2>
			<p>
				<?php esc_html_e( 'Signed commands are posted to:', 'taggate' ); ?>
				<code class="taggate-webhook-url"><?php echo esc_html( Settings::webhook_url() ); ?></code>
			</p>
			<?php if ( is_string( $new ) && '' !== $new ) : ?>
				<div class="notice notice-warning inline taggate-new-secret-box">
					<p><strong><?php esc_html_e( 'Your new secret. Copy it now: it will not be shown again.', 'taggate' ); ?></strong></p>
					<p><input type="text" readonly class="large-text code taggate-new-secret" value="<?php echo esc_attr( $new ); ?>" onfocus="this.select();" /></p>
				</div>
			<?php endif; ?>
			<?php if ( $constant ) : ?>
				<?php
				$secrets = Settings::secrets();
				self::constant_note( 'secret' );
				?>
				<ul class="taggate-secret-list">
					<?php foreach ( $secrets as $i => $secret ) : ?>
						<li><code class="taggate-secret-masked"><?php echo esc_html( self::mask( $secret ) ); ?></code> <?php echo 0 === $i ? esc_html__( '(signs and verifies)', 'taggate' ) : esc_html__( '(verifies)', 'taggate' ); ?></li>
					<?php endforeach; ?>
				</ul>
			<?php else : ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><?php esc_html_e( 'Current secret', 'taggate' ); ?></th>
						<td>
							<?php if ( '' === $current ) : ?>
								<strong class="taggate-secret-missing"><?php esc_html_e( 'None: the webhook answers 503 until a secret is generated.', 'taggate' ); ?></strong>
							<?php else : ?>
								<code class="taggate-secret-masked"><?php echo esc_html( self::mask( $current ) ); ?></code>
							<?php endif; ?>
						</td>
					</tr>
					<?php if ( '' !== $previous && $expires > time() ) : ?>
						<tr>
							<th scope="row"><?php esc_html_e( 'Previous secret', 'taggate' ); ?></th>
							<td>
								<code class="taggate-secret-masked taggate-previous-secret"><?php echo esc_html( self::mask( $previous ) ); ?></code>
								<?php
								printf(
									/* translators: %s: date and time. */
									esc_html__( 'still verifies until %s', 'taggate' ),
									esc_html( wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $expires ) )
								);
								?>
							</td>
						</tr>
					<?php endif; ?>
				</table>
				<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="taggate-rotate-form">
					<input type="hidden" name="action" value="taggate_secret" />
					<?php wp_nonce_field( 'taggate_secret' ); ?>
					<?php if ( '' !== $current ) : ?>
						<label for="taggate-rotate-hours"><?php esc_html_e( 'Keep the current secret valid for', 'taggate' ); ?></label>
						<input type="number" id="taggate-rotate-hours" name="rotation_hours" min="0" max="720" step="0.5" class="small-text" value="<?php echo esc_attr( (string) Gate_Config::get( 'rotation_hours', 24 ) ); ?>" />
						<?php esc_html_e( 'hours', 'taggate' ); ?>
						<?php submit_button( __( 'Rotate secret', 'taggate' ), 'secondary', 'taggate-rotate', false ); ?>
					<?php else : ?>
						<?php submit_button( __( 'Generate secret', 'taggate' ), 'primary', 'taggate-rotate', false ); ?>
					<?php endif; ?>
				</form>
			<?php endif; ?>
		</div>
		<?php
	}

	/**
	 * A secret for display: its kind, a few characters, and its fingerprint.
	 *
	 * @param string $secret Secret.
	 * @return string
	 */
	public static function mask( $secret ) {
		$secret = (string) $secret;
		$prefix = 0 === strpos( $secret, 'whsec_' ) ? 'whsec_' : '';
		return $prefix . '••••••••' . ' (' . Settings::fingerprint( $secret ) . ')';
	}

	/**
	 * The CRM box: the URLs to paste (shown on demand), regenerate the key.
	 */
	private static function render_crm_urls() {
		$key      = (string) Settings::get( 'crm_key' );
		$adapter  = (string) Settings::get( 'crm_adapter' );
		$commands = array( 'tags.add', 'tags.remove', 'tags.set', 'contact.upsert', 'access.revoke' );
		?>
		<div class="taggate-card taggate-crm" id="taggate-crm">
			<h2><?php esc_html_e( 'CRM URLs', 'taggate' ); ?></h2>
			<?php if ( '' === $key ) : ?>
				<p><strong><?php esc_html_e( 'No CRM key yet: the CRM URLs answer 503 "unavailable" until one is generated.', 'taggate' ); ?></strong></p>
			<?php else : ?>
				<p>
					<?php
					printf(
						/* translators: %s: adapter name. */
						esc_html__( 'For CRMs that cannot sign. The body is read by the %s adapter. Add &tags=Tag%%20One,Tag%%20Two to name the tags, and &create=1 to let tag commands create missing users.', 'taggate' ),
						'<code>' . esc_html( $adapter ) . '</code>'
					);
					?>
				</p>
				<details class="taggate-crm-urls">
					<summary><?php esc_html_e( 'Show the URLs (they contain the key: treat them as passwords)', 'taggate' ); ?></summary>
					<table class="widefat striped">
						<tbody>
						<?php foreach ( $commands as $command ) : ?>
							<tr>
								<th scope="row"><code><?php echo esc_html( $command ); ?></code></th>
								<td><input type="text" readonly class="large-text code" value="<?php echo esc_attr( Settings::crm_url( $command ) ); ?>" onfocus="this.select();" /></td>
							</tr>
						<?php endforeach; ?>
						</tbody>
					</table>
				</details>
			<?php endif; ?>
			<?php if ( ! self::constant_note( 'crm_key' ) ) : ?>
				<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>" class="taggate-crm-key-form" onsubmit="return '' === this.dataset.confirm || window.confirm(this.dataset.confirm);" data-confirm="<?php echo '' === $key ? '' : esc_attr__( 'The URLs your CRM uses now will stop working. Continue?', 'taggate' ); ?>">
					<input type="hidden" name="action" value="taggate_crm_key" />
					<?php wp_nonce_field( 'taggate_crm_key' ); ?>
					<?php submit_button( '' === $key ? __( 'Generate CRM key', 'taggate' ) : __( 'Regenerate CRM key', 'taggate' ), 'secondary', 'taggate-crm-key', false ); ?>
				</form>
			<?php endif; ?>
		</div>
		<?php
	}

	/**
	 * Section intros.
	 */
	public static function section_webhook() {
		echo '<p>' . esc_html__( 'How signed deliveries are verified.', 'taggate' ) . '</p>';
	}

	/**
	 * Section intro.
	 */
	public static function section_crm() {
		echo '<p>' . esc_html__( 'How the CRM URLs read what your CRM posts.', 'taggate' ) . '</p>';
	}

	/**
	 * Section intro.
	 */
	public static function section_accounts() {
		echo '<p>' . esc_html__( 'Users created by webhooks get the first allowed role. Roles that can edit posts, promote users or manage options are never allowed.', 'taggate' ) . '</p>';
	}

	/**
	 * Section intro.
	 */
	public static function section_gating() {
		echo '<p>' . esc_html__( 'A post is protected by the rule in its "TagGate access" panel. Those who may not read it see the message (with a login link when logged out), or are sent to the page below.', 'taggate' ) . '</p>';
	}

	/**
	 * Name of a part-1 setting input.
	 *
	 * @param string $key Key.
	 * @return string
	 */
	private static function core_name( $key ) {
		return Settings::OPTION . '[' . $key . ']';
	}

	/**
	 * Name of a gating setting input.
	 *
	 * @param string $key Key.
	 * @return string
	 */
	private static function gating_name( $key ) {
		return Gate_Config::OPTION . '[' . $key . ']';
	}

	/**
	 * Field: scheme.
	 */
	public static function field_scheme() {
		$value    = (string) Settings::get( 'scheme' );
		$disabled = Settings::is_constant( 'scheme' );
		printf( '<select id="taggate-scheme" name="%s"%s>', esc_attr( self::core_name( 'scheme' ) ), disabled( $disabled, true, false ) );
		foreach ( Settings::SCHEMES as $scheme ) {
			printf( '<option value="%1$s"%2$s>%1$s</option>', esc_attr( $scheme ), selected( $value, $scheme, false ) );
		}
		echo '</select>';
		if ( ! self::constant_note( 'scheme' ) ) {
			echo '<p class="description">' . esc_html__( '"standard" (Standard Webhooks) unless your sender signs another way.', 'taggate' ) . '</p>';
		}
	}

	/**
	 * Field: a number of a part-1 setting.
	 *
	 * @param array $args key, unit, min, max.
	 */
	public static function field_number( $args ) {
		$key = $args['key'];
		printf(
			'<input type="number" id="taggate-%1$s" name="%2$s" value="%3$s" min="%4$d" max="%5$d" class="regular-text"%6$s /> %7$s',
			esc_attr( $key ),
			esc_attr( self::core_name( $key ) ),
			esc_attr( (string) Settings::get( $key ) ),
			(int) $args['min'],
			(int) $args['max'],
			disabled( Settings::is_constant( $key ), true, false ),
			esc_html( $args['unit'] )
		);
		self::constant_note( $key );
	}

	/**
	 * Field: the rotation window.
	 */
	public static function field_rotation() {
		printf(
			'<input type="number" id="taggate-rotation_hours" name="%1$s" value="%2$s" min="0" max="720" step="0.5" class="small-text" /> %3$s',
			esc_attr( self::gating_name( 'rotation_hours' ) ),
			esc_attr( (string) Gate_Config::get( 'rotation_hours', 24 ) ),
			esc_html__( 'hours: how long a rotated secret keeps verifying (default 24)', 'taggate' )
		);
	}

	/**
	 * Field: adapter.
	 */
	public static function field_adapter() {
		$value = (string) Settings::get( 'crm_adapter' );
		printf( '<select id="taggate-crm_adapter" name="%s"%s>', esc_attr( self::core_name( 'crm_adapter' ) ), disabled( Settings::is_constant( 'crm_adapter' ), true, false ) );
		foreach ( self::adapters() as $adapter => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $adapter ), selected( $value, $adapter, false ), esc_html( $label ) );
		}
		echo '</select>';
		self::constant_note( 'crm_adapter' );
	}

	/**
	 * Field: Kit secret (write-only).
	 */
	public static function field_kit_secret() {
		if ( self::constant_note( 'kit_secret' ) ) {
			return;
		}
		$current = (string) Settings::get( 'kit_secret' );
		printf(
			'<input type="password" id="taggate-kit_secret" name="%s" value="" autocomplete="new-password" class="regular-text" placeholder="%s" />',
			esc_attr( self::core_name( 'kit_secret' ) ),
			esc_attr( '' === $current ? __( 'not set', 'taggate' ) : self::mask( $current ) )
		);
		if ( '' !== $current ) {
			printf(
				' <label><input type="checkbox" name="%s" value="1" /> %s</label>',
				esc_attr( self::core_name( 'kit_secret_clear' ) ),
				esc_html__( 'Remove', 'taggate' )
			);
		}
		echo '<p class="description">' . esc_html__( 'Only when Kit signs its webhooks (X-Kit-Signature): the CRM URL then checks the signature as well as the key. Leave empty to keep the current value.', 'taggate' ) . '</p>';
	}

	/**
	 * Field: Ontraport's tag names.
	 */
	public static function field_ontraport_map() {
		$lines = array();
		foreach ( (array) Settings::get( 'ontraport_tag_map' ) as $id => $name ) {
			$lines[] = $id . ' = ' . $name;
		}
		printf(
			'<textarea id="taggate-ontraport_tag_map" name="%1$s" rows="3" class="large-text code" placeholder="12 = Course A">%2$s</textarea>',
			esc_attr( self::core_name( 'ontraport_tag_map' ) ),
			esc_textarea( implode( "\n", $lines ) )
		);
		echo '<p class="description">' . esc_html__( 'Ontraport sends tag ids. One "id = name" a line turns them into the tag names your rules use; an id not listed stays a tag named by its digits (e.g. "12").', 'taggate' ) . '</p>';
	}

	/**
	 * Field: roles.
	 */
	public static function field_roles() {
		$value    = (array) Settings::get( 'allowed_roles' );
		$constant = Settings::is_constant( 'allowed_roles' );
		echo '<fieldset>';
		foreach ( wp_roles()->get_names() as $slug => $name ) {
			$safe = Settings::role_is_safe( $slug );
			printf(
				'<label><input type="checkbox" name="%1$s[]" value="%2$s"%3$s%4$s /> %5$s%6$s</label><br />',
				esc_attr( self::core_name( 'allowed_roles' ) ),
				esc_attr( $slug ),
				checked( in_array( $slug, $value, true ) && $safe, true, false ),
				disabled( $constant || ! $safe, true, false ),
				esc_html( translate_user_role( $name ) ),
				$safe ? '' : ' <span class="description">' . esc_html__( '(can edit posts, promote users or manage options: never allowed)', 'taggate' ) . '</span>'
			);
		}
		echo '</fieldset>';
		self::constant_note( 'allowed_roles' );
	}

	/**
	 * Field: post types.
	 */
	public static function field_post_types() {
		$value = (array) Gate_Config::get( 'post_types', array( 'post', 'page' ) );
		echo '<fieldset>';
		foreach ( self::gateable_post_types() as $slug => $label ) {
			printf(
				'<label><input type="checkbox" name="%1$s[]" value="%2$s"%3$s /> %4$s <code>%2$s</code></label><br />',
				esc_attr( self::gating_name( 'post_types' ) ),
				esc_attr( $slug ),
				checked( in_array( $slug, $value, true ), true, false ),
				esc_html( $label )
			);
		}
		echo '</fieldset>';
		echo '<p class="description">' . esc_html__( 'The rule of a post of a type not ticked here is ignored: that post is public.', 'taggate' ) . '</p>';
	}

	/**
	 * Field: denied message.
	 */
	public static function field_denied_message() {
		printf(
			'<textarea id="taggate-denied_message" name="%1$s" rows="3" class="large-text" placeholder="%2$s">%3$s</textarea>',
			esc_attr( self::gating_name( 'denied_message' ) ),
			esc_attr__( 'This content is for members only.', 'taggate' ),
			esc_textarea( (string) Gate_Config::get( 'denied_message', '' ) )
		);
		echo '<p class="description">' . esc_html__( 'Shown in place of the content, the excerpt and the feed item. Simple HTML is allowed. Visitors who are logged out also get a login link.', 'taggate' ) . '</p>';
	}

	/**
	 * Field: denied redirect.
	 */
	public static function field_denied_redirect() {
		printf(
			'<input type="text" id="taggate-denied_redirect" name="%1$s" value="%2$s" class="regular-text code" placeholder="/join/" />',
			esc_attr( self::gating_name( 'denied_redirect' ) ),
			esc_attr( (string) Gate_Config::get( 'denied_redirect', '' ) )
		);
		echo '<p class="description">' . esc_html__( 'Optional. A page of this site (e.g. /join/) that the single view of a protected post redirects to. Lists, feeds and the REST API still show the message. Other sites are refused.', 'taggate' ) . '</p>';
	}
}
