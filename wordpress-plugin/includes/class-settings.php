<?php
/**
 * The settings read API: option storage, defaults, TAGGATE_* constant
 * overrides, webhook secrets with rotation, the CRM URL key.
 *
 * Everything the plugin reads goes through `Settings::get( $key )`, which
 * answers the effective value: the constant when one is defined in
 * wp-config.php, otherwise the stored option, otherwise the default. The
 * settings page (part 2) writes through `Settings::update()`, shows a key
 * read-only when `Settings::is_constant( $key )` is true, and never prints a
 * secret (use `Settings::fingerprint()` to identify one).
 *
 * Keys (all stored in the single option `taggate_settings`):
 *
 * | key                       | type     | default        | constant                     |
 * | ------------------------- | -------- | -------------- | ---------------------------- |
 * | `scheme`                  | string   | `standard`     | `TAGGATE_WEBHOOK_SCHEME`     |
 * | `secret`                  | string   | ''             | `TAGGATE_WEBHOOK_SECRETS` (first) |
 * | `previous_secret`         | string   | ''             | (the constant lists every active secret) |
 * | `previous_secret_expires` | int      | 0 (Unix time)  | —                            |
 * | `tolerance`               | int s    | 300            | `TAGGATE_WEBHOOK_TOLERANCE`  |
 * | `crm_key`                 | string   | ''             | `TAGGATE_CRM_KEY`            |
 * | `crm_adapter`             | string   | `generic`      | `TAGGATE_CRM_ADAPTER`        |
 * | `kit_secret`              | string   | ''             | `TAGGATE_KIT_SECRET`         |
 * | `max_body_bytes`          | int      | 1048576        | `TAGGATE_MAX_BODY_BYTES`     |
 * | `allowed_roles`           | string[] | `[subscriber]` | `TAGGATE_ALLOWED_ROLES` (comma-separated) |
 * | `log_retention_days`      | int      | 30 (min 7)     | `TAGGATE_LOG_RETENTION_DAYS` |
 * | `login_link_ttl`          | int s    | 900 (max 86400)| `TAGGATE_LOGIN_LINK_TTL`     |
 * | `ontraport_tag_map`       | array    | [] (id => tag) | —                            |
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Settings read/write API.
 */
final class Settings {

	/** The option holding every stored setting. */
	const OPTION = 'taggate_settings';

	/** Signature schemes of SPEC §4. */
	const SCHEMES = array( 'standard', 'stripe', 'kit', 'github', 'shopify', 'hubspot-v3' );

	/** Capabilities that make a role unfit for webhook-created accounts. */
	const DANGEROUS_CAPS = array( 'edit_posts', 'promote_users', 'manage_options' );

	/** Longest life of a login link (SPEC §5: at most 24 hours). */
	const MAX_LOGIN_LINK_TTL = DAY_IN_SECONDS;

	/** Shortest retention of the delivery log, so delivery ids are kept 7 days. */
	const MIN_RETENTION_DAYS = 7;

	/**
	 * Setting key => constant that overrides it.
	 *
	 * @var array<string,string>
	 */
	const CONSTANTS = array(
		'scheme'                  => 'TAGGATE_WEBHOOK_SCHEME',
		'secret'                  => 'TAGGATE_WEBHOOK_SECRETS',
		'previous_secret'         => 'TAGGATE_WEBHOOK_SECRETS',
		'previous_secret_expires' => 'TAGGATE_WEBHOOK_SECRETS',
		'tolerance'               => 'TAGGATE_WEBHOOK_TOLERANCE',
		'crm_key'                 => 'TAGGATE_CRM_KEY',
		'crm_adapter'             => 'TAGGATE_CRM_ADAPTER',
		'kit_secret'              => 'TAGGATE_KIT_SECRET',
		'max_body_bytes'          => 'TAGGATE_MAX_BODY_BYTES',
		'allowed_roles'           => 'TAGGATE_ALLOWED_ROLES',
		'log_retention_days'      => 'TAGGATE_LOG_RETENTION_DAYS',
		'login_link_ttl'          => 'TAGGATE_LOGIN_LINK_TTL',
	);

	/**
	 * Per-request cache of the stored option.
	 *
	 * @var array|null
	 */
	private static $stored = null;

	/**
	 * Defaults of every key.
	 *
	 * @return array<string,mixed>
	 */
	public static function defaults() {
		return array(
			'scheme'                  => 'standard',
			'secret'                  => '',
			'previous_secret'         => '',
			'previous_secret_expires' => 0,
			'tolerance'               => 300,
			'crm_key'                 => '',
			'crm_adapter'             => 'generic',
			'kit_secret'              => '',
			'max_body_bytes'          => 1048576,
			'allowed_roles'           => array( 'subscriber' ),
			'log_retention_days'      => 30,
			'login_link_ttl'          => 15 * MINUTE_IN_SECONDS,
			'ontraport_tag_map'       => array(),
		);
	}

	/**
	 * The effective value of one setting (constant, else option, else default).
	 *
	 * @param string $key A key of defaults().
	 * @return mixed
	 */
	public static function get( $key ) {
		$defaults = self::defaults();
		if ( ! array_key_exists( $key, $defaults ) ) {
			return null;
		}
		if ( self::is_constant( $key ) ) {
			return self::from_constant( $key );
		}
		$stored = self::stored();
		$value  = array_key_exists( $key, $stored ) ? $stored[ $key ] : $defaults[ $key ];
		$clean  = self::sanitize( $key, $value );
		return is_wp_error( $clean ) ? $defaults[ $key ] : $clean;
	}

	/**
	 * Every effective setting. Holds secrets: never print it.
	 *
	 * @return array<string,mixed>
	 */
	public static function all() {
		$all = array();
		foreach ( array_keys( self::defaults() ) as $key ) {
			$all[ $key ] = self::get( $key );
		}
		return $all;
	}

	/**
	 * True when a constant in wp-config.php sets this key (the settings page
	 * then shows it read-only).
	 *
	 * @param string $key Setting key.
	 * @return bool
	 */
	public static function is_constant( $key ) {
		return isset( self::CONSTANTS[ $key ] ) && defined( self::CONSTANTS[ $key ] );
	}

	/**
	 * Name of the constant that overrides a key, or '' if none can.
	 *
	 * @param string $key Setting key.
	 * @return string
	 */
	public static function constant_name( $key ) {
		return isset( self::CONSTANTS[ $key ] ) ? self::CONSTANTS[ $key ] : '';
	}

	/**
	 * The secrets that verify a delivery now: the current secret, then the
	 * previous one while its rotation window lasts; or every secret of
	 * TAGGATE_WEBHOOK_SECRETS. Empty when none is configured.
	 *
	 * @param int|null $now Unix time (default now).
	 * @return string[]
	 */
	public static function secrets( $now = null ) {
		if ( defined( 'TAGGATE_WEBHOOK_SECRETS' ) ) {
			return self::split_secrets( (string) constant( 'TAGGATE_WEBHOOK_SECRETS' ) );
		}
		$now     = null === $now ? time() : (int) $now;
		$secrets = array();
		$current = (string) self::get( 'secret' );
		if ( '' !== $current ) {
			$secrets[] = $current;
		}
		$previous = (string) self::get( 'previous_secret' );
		if ( '' !== $previous && $previous !== $current && (int) self::get( 'previous_secret_expires' ) > $now ) {
			$secrets[] = $previous;
		}
		return $secrets;
	}

	/**
	 * The secret that signs (the first active one), or ''.
	 *
	 * @return string
	 */
	public static function signing_secret() {
		$secrets = self::secrets();
		return $secrets ? $secrets[0] : '';
	}

	/**
	 * A new random secret: `whsec_` + base64 of 32 random bytes. Valid for
	 * every scheme (standard decodes it; the others use its bytes as they are).
	 *
	 * @return string
	 */
	public static function generate_secret() {
		return 'whsec_' . base64_encode( random_bytes( 32 ) ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * A new random CRM URL key: 32 random bytes, base64url (43 characters).
	 *
	 * @return string
	 */
	public static function generate_crm_key() {
		return rtrim( strtr( base64_encode( random_bytes( 32 ) ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
	}

	/**
	 * Rotates the webhook secret: a new secret becomes current, the current
	 * one stays valid as the previous secret for $keep_previous_seconds.
	 *
	 * @param int $keep_previous_seconds How long the old secret still verifies (0: not at all).
	 * @return string The new secret (show it once; it is not retrievable in clear from the UI).
	 * @throws \LogicException When TAGGATE_WEBHOOK_SECRETS defines the secrets.
	 */
	public static function rotate_secret( $keep_previous_seconds ) {
		if ( self::is_constant( 'secret' ) ) {
			throw new \LogicException( 'The webhook secrets are defined by TAGGATE_WEBHOOK_SECRETS.' );
		}
		$new     = self::generate_secret();
		$current = (string) self::get( 'secret' );
		$keep    = max( 0, (int) $keep_previous_seconds );
		self::update(
			array(
				'secret'                  => $new,
				'previous_secret'         => ( $keep > 0 && '' !== $current ) ? $current : '',
				'previous_secret_expires' => ( $keep > 0 && '' !== $current ) ? time() + $keep : 0,
			)
		);
		return $new;
	}

	/**
	 * Generates and stores a new CRM URL key (old CRM URLs stop working).
	 *
	 * @return string The new key.
	 * @throws \LogicException When TAGGATE_CRM_KEY defines the key.
	 */
	public static function regenerate_crm_key() {
		if ( self::is_constant( 'crm_key' ) ) {
			throw new \LogicException( 'The CRM key is defined by TAGGATE_CRM_KEY.' );
		}
		$key = self::generate_crm_key();
		self::update( array( 'crm_key' => $key ) );
		return $key;
	}

	/**
	 * Validates and stores settings. Unknown keys are ignored; keys set by a
	 * constant are stored too but stay overridden. All-or-nothing: on the
	 * first invalid value nothing is stored.
	 *
	 * @param array<string,mixed> $values Key => new value.
	 * @return true|\WP_Error WP_Error (code `taggate_invalid_setting`, data `['key' => …]`) on an invalid value.
	 */
	public static function update( array $values ) {
		$stored = self::stored();
		foreach ( $values as $key => $value ) {
			if ( ! array_key_exists( $key, self::defaults() ) ) {
				continue;
			}
			$clean = self::sanitize( $key, $value );
			if ( is_wp_error( $clean ) ) {
				return $clean;
			}
			$stored[ $key ] = $clean;
		}
		update_option( self::OPTION, $stored, true );
		self::$stored = $stored;
		/**
		 * Fires after TagGate's settings were saved.
		 *
		 * @param string[] $keys The keys written.
		 */
		do_action( 'taggate_settings_updated', array_keys( $values ) );
		return true;
	}

	/**
	 * Sanitises one value. Answers the clean value or a WP_Error.
	 *
	 * @param string $key   Setting key.
	 * @param mixed  $value Raw value.
	 * @return mixed|\WP_Error
	 */
	public static function sanitize( $key, $value ) {
		switch ( $key ) {
			case 'scheme':
				$value = strtolower( trim( (string) $value ) );
				return in_array( $value, self::SCHEMES, true ) ? $value : self::invalid( $key, __( 'Unknown signature scheme.', 'taggate' ) );
			case 'secret':
			case 'previous_secret':
			case 'kit_secret':
			case 'crm_key':
				if ( ! is_scalar( $value ) ) {
					return self::invalid( $key, __( 'Expected a string.', 'taggate' ) );
				}
				$value = trim( (string) $value );
				if ( preg_match( '/\s/', $value ) ) {
					return self::invalid( $key, __( 'A secret or key cannot contain white space.', 'taggate' ) );
				}
				if ( 'crm_key' === $key && '' !== $value && strlen( $value ) < 32 ) {
					return self::invalid( $key, __( 'The CRM key must be at least 32 characters (use the generated one).', 'taggate' ) );
				}
				return $value;
			case 'previous_secret_expires':
				return max( 0, (int) $value );
			case 'tolerance':
				$value = (int) $value;
				return ( $value >= 1 && $value <= DAY_IN_SECONDS ) ? $value : self::invalid( $key, __( 'The tolerance must be between 1 second and 1 day.', 'taggate' ) );
			case 'crm_adapter':
				$value = sanitize_key( (string) $value );
				return '' !== $value ? $value : self::invalid( $key, __( 'Unknown CRM adapter.', 'taggate' ) );
			case 'max_body_bytes':
				$value = (int) $value;
				return ( $value >= 1 && $value <= 64 * MB_IN_BYTES ) ? $value : self::invalid( $key, __( 'The body limit must be between 1 byte and 64 MiB.', 'taggate' ) );
			case 'allowed_roles':
				if ( is_string( $value ) ) {
					$value = explode( ',', $value );
				}
				if ( ! is_array( $value ) ) {
					return self::invalid( $key, __( 'Expected a list of roles.', 'taggate' ) );
				}
				$roles = array();
				foreach ( $value as $role ) {
					$role = sanitize_key( trim( (string) $role ) );
					if ( '' !== $role && ! in_array( $role, $roles, true ) ) {
						$roles[] = $role;
					}
				}
				return $roles;
			case 'log_retention_days':
				return max( self::MIN_RETENTION_DAYS, min( 3650, (int) $value ) );
			case 'login_link_ttl':
				$value = (int) $value;
				return ( $value >= 60 && $value <= self::MAX_LOGIN_LINK_TTL ) ? $value : self::invalid( $key, __( 'A login link lives between 1 minute and 24 hours.', 'taggate' ) );
			case 'ontraport_tag_map':
				if ( ! is_array( $value ) ) {
					return self::invalid( $key, __( 'Expected a map of tag id to tag name.', 'taggate' ) );
				}
				$map = array();
				foreach ( $value as $id => $name ) {
					$id   = trim( (string) $id );
					$name = trim( (string) $name );
					if ( '' !== $id && '' !== $name ) {
						$map[ $id ] = $name;
					}
				}
				return $map;
		}
		return self::invalid( $key, __( 'Unknown setting.', 'taggate' ) );
	}

	/**
	 * The roles webhook-created users may get, in order (the first is given
	 * on creation): the configured list without unknown roles and without any
	 * role that has edit_posts, promote_users or manage_options.
	 *
	 * @return string[]
	 */
	public static function allowed_roles() {
		$roles = array();
		foreach ( (array) self::get( 'allowed_roles' ) as $role ) {
			if ( self::role_is_safe( $role ) ) {
				$roles[] = $role;
			}
		}
		/**
		 * Filters the roles webhook-created users may hold. Roles with
		 * edit_posts, promote_users or manage_options are removed again after
		 * this filter: they can never be allowed.
		 *
		 * @param string[] $roles Role slugs; the first is given to new users.
		 */
		$roles = (array) apply_filters( 'taggate_allowed_roles', $roles );
		return array_values( array_filter( $roles, array( __CLASS__, 'role_is_safe' ) ) );
	}

	/**
	 * True when a role exists and has none of the dangerous capabilities.
	 *
	 * @param string $role Role slug.
	 * @return bool
	 */
	public static function role_is_safe( $role ) {
		$object = get_role( (string) $role );
		if ( ! $object ) {
			return false;
		}
		foreach ( self::DANGEROUS_CAPS as $cap ) {
			if ( ! empty( $object->capabilities[ $cap ] ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A short, non-reversible identifier of a secret for display and logs.
	 *
	 * @param string $secret A secret.
	 * @return string e.g. `sha256:1a2b3c4d`, or '' for no secret.
	 */
	public static function fingerprint( $secret ) {
		return '' === (string) $secret ? '' : 'sha256:' . substr( hash( 'sha256', (string) $secret ), 0, 8 );
	}

	/**
	 * The webhook endpoint's URL.
	 *
	 * @return string
	 */
	public static function webhook_url() {
		return rest_url( 'taggate/v1/webhook' );
	}

	/**
	 * A CRM endpoint URL with the key, for display to administrators only.
	 *
	 * @param string   $command A command of SPEC §5 but `batch`.
	 * @param string[] $tags    Tags for the query's `tags=` (optional).
	 * @return string
	 */
	public static function crm_url( $command, array $tags = array() ) {
		$args = array( 'key' => (string) self::get( 'crm_key' ) );
		if ( $tags ) {
			$args['tags'] = implode( ',', $tags );
		}
		return add_query_arg( array_map( 'rawurlencode', $args ), rest_url( 'taggate/v1/crm/' . $command ) );
	}

	/**
	 * Removes an expired previous secret from storage (cron).
	 */
	public static function expire_previous_secret() {
		$stored = self::stored();
		if ( ! empty( $stored['previous_secret'] ) && (int) ( $stored['previous_secret_expires'] ?? 0 ) <= time() ) {
			self::update(
				array(
					'previous_secret'         => '',
					'previous_secret_expires' => 0,
				)
			);
		}
	}

	/**
	 * Forgets the per-request cache (after another process changed the option).
	 */
	public static function flush_cache() {
		self::$stored = null;
	}

	/**
	 * The stored option as an array.
	 *
	 * @return array
	 */
	private static function stored() {
		if ( null === self::$stored ) {
			$value        = get_option( self::OPTION, array() );
			self::$stored = is_array( $value ) ? $value : array();
		}
		return self::$stored;
	}

	/**
	 * Value of a key from its constant.
	 *
	 * @param string $key Setting key.
	 * @return mixed
	 */
	private static function from_constant( $key ) {
		$raw = constant( self::CONSTANTS[ $key ] );
		switch ( $key ) {
			case 'secret':
				$secrets = self::split_secrets( (string) $raw );
				return $secrets ? $secrets[0] : '';
			case 'previous_secret':
				return '';
			case 'previous_secret_expires':
				return 0;
			case 'scheme':
				// Kept as written even when unknown: the endpoint then answers 503.
				return strtolower( trim( (string) $raw ) );
			case 'crm_key':
			case 'kit_secret':
				return trim( (string) $raw );
			case 'crm_adapter':
				return sanitize_key( (string) $raw );
		}
		$clean = self::sanitize( $key, $raw );
		return is_wp_error( $clean ) ? self::defaults()[ $key ] : $clean;
	}

	/**
	 * Splits a space-separated secret list.
	 *
	 * @param string $list Secrets separated by white space.
	 * @return string[]
	 */
	private static function split_secrets( $list ) {
		return array_values( array_filter( preg_split( '/\s+/', trim( $list ) ), 'strlen' ) );
	}

	/**
	 * A WP_Error for an invalid setting.
	 *
	 * @param string $key     Setting key.
	 * @param string $message Message.
	 * @return \WP_Error
	 */
	private static function invalid( $key, $message ) {
		return new \WP_Error( 'taggate_invalid_setting', $message, array( 'key' => $key ) );
	}
}
