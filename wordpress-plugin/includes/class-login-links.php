<?php
/**
 * Single-use login links (command `login.link`).
 *
 * A link is `wp-login.php?action=taggate_login&token=…` with 32 random bytes
 * of token. Only the token's SHA-256 is stored, with its expiry. The first
 * request that presents it deletes the row (one DELETE: the database decides
 * the single winner) and is logged in; every later use, and any use after
 * expiry, is refused with 403. wp-login.php is the place because page caches
 * never cache it. Protected users never get a link, and are refused at use
 * time too should their role have changed since.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Login links.
 */
final class Login_Links {

	/** The wp-login.php action. */
	const ACTION = 'taggate_login';

	/**
	 * The table.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'taggate_login_links';
	}

	/**
	 * Hooks the wp-login.php action.
	 */
	public static function register() {
		add_action( 'login_form_' . self::ACTION, array( __CLASS__, 'handle' ) );
	}

	/**
	 * Mints a link for a user.
	 *
	 * @param int      $user_id User id.
	 * @param int|null $ttl     Lifetime in seconds (default: the setting; at most 24 hours).
	 * @return array{url:string,expires_at:int}
	 */
	public static function create( $user_id, $ttl = null ) {
		global $wpdb;
		$ttl     = null === $ttl ? (int) Settings::get( 'login_link_ttl' ) : (int) $ttl;
		$ttl     = max( 1, min( Settings::MAX_LOGIN_LINK_TTL, $ttl ) );
		$token   = rtrim( strtr( base64_encode( random_bytes( 32 ) ), '+/', '-_' ), '=' ); // phpcs:ignore WordPress.PHP.DiscouragedPHPFunctions.obfuscation_base64_encode
		$now     = time();
		$expires = $now + $ttl;
		Db::query(
			$wpdb->prepare(
				'INSERT INTO ' . self::table() . ' (token_hash, user_id, created_at, expires_at) VALUES (UNHEX(%s), %d, %d, %d)', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				hash( 'sha256', $token ),
				(int) $user_id,
				$now,
				$expires
			)
		);
		$url = add_query_arg(
			array(
				'action' => self::ACTION,
				'token'  => $token,
			),
			wp_login_url()
		);
		return array(
			'url'        => $url,
			'expires_at' => $expires,
		);
	}

	/**
	 * Consumes a token: answers its user id when it was valid and unused, 0
	 * otherwise. Atomic: of concurrent uses, exactly one wins.
	 *
	 * @param string $token Token from the link.
	 * @return int
	 */
	public static function consume( $token ) {
		global $wpdb;
		$token = (string) $token;
		if ( ! preg_match( '/^[A-Za-z0-9_-]{43}$/', $token ) ) {
			return 0;
		}
		$hash    = hash( 'sha256', $token );
		$user_id = (int) Db::value(
			$wpdb->prepare( 'SELECT user_id FROM ' . self::table() . ' WHERE token_hash = UNHEX(%s)', $hash ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
		if ( ! $user_id ) {
			return 0;
		}
		$deleted = (int) Db::query(
			$wpdb->prepare( 'DELETE FROM ' . self::table() . ' WHERE token_hash = UNHEX(%s) AND expires_at >= %d', $hash, time() ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
		return 1 === $deleted ? $user_id : 0;
	}

	/**
	 * wp-login.php?action=taggate_login: logs the user in, or refuses with 403.
	 */
	public static function handle() {
		nocache_headers();
		header( 'Referrer-Policy: no-referrer' );
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the single-use token is the credential.
		$token   = isset( $_GET['token'] ) ? sanitize_text_field( wp_unslash( $_GET['token'] ) ) : '';
		$user_id = 0;
		try {
			$user_id = self::consume( $token );
		} catch ( Db_Exception $e ) {
			$user_id = 0;
		}
		$user = $user_id ? Users::fresh_user( $user_id ) : null;
		if ( ! $user || Users::is_protected( $user ) ) {
			wp_die(
				esc_html__( 'This login link is invalid, has expired or was already used. Ask for a new one.', 'taggate' ),
				esc_html__( 'Login link refused', 'taggate' ),
				array(
					'response'  => 403,
					'link_url'  => esc_url( wp_login_url() ),
					'link_text' => esc_html__( 'Log in', 'taggate' ),
				)
			);
		}
		wp_set_current_user( $user->ID );
		wp_set_auth_cookie( $user->ID, false, is_ssl() );
		/** This action is documented in wp-includes/user.php */
		do_action( 'wp_login', $user->user_login, $user );
		/**
		 * Filters where a login link sends the user after logging them in.
		 *
		 * @param string   $url  Destination (default: the home page).
		 * @param \WP_User $user User.
		 */
		$to = (string) apply_filters( 'taggate_login_link_redirect', home_url( '/' ), $user );
		wp_safe_redirect( $to );
		exit;
	}

	/**
	 * Removes a deleted user's links.
	 *
	 * @param int $user_id User id.
	 */
	public static function delete_user( $user_id ) {
		global $wpdb;
		Db::query( $wpdb->prepare( 'DELETE FROM ' . self::table() . ' WHERE user_id = %d', (int) $user_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * Deletes expired links (cron).
	 *
	 * @return int Rows deleted.
	 */
	public static function prune() {
		global $wpdb;
		return (int) Db::query( $wpdb->prepare( 'DELETE FROM ' . self::table() . ' WHERE expires_at < %d', time() ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}
}
