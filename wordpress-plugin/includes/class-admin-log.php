<?php
/**
 * Tools → TagGate deliveries: the delivery log (a WP_List_Table with filters
 * by outcome, command, source and a search by contact or delivery id) and a
 * detail view of one delivery. Read-only; needs manage_options. The log
 * holds no body and no secret (part 1 stores only the body's hash and size),
 * and nothing here prints one.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The delivery log screen.
 */
final class Admin_Log {

	const SLUG     = 'taggate-log';
	const CAP      = 'manage_options';
	const OUTCOMES = array( 'applied', 'duplicate', 'rejected', 'failed' );
	const COMMANDS = array( 'ping', 'contact.upsert', 'tags.add', 'tags.remove', 'tags.set', 'access.revoke', 'login.link', 'password.reset', 'batch' );

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
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
	}

	/**
	 * The page's URL.
	 *
	 * @param array $args Query arguments.
	 * @return string
	 */
	public static function url( array $args = array() ) {
		return add_query_arg( array_merge( array( 'page' => self::SLUG ), $args ), admin_url( 'tools.php' ) );
	}

	/**
	 * Adds the page under Tools.
	 */
	public static function menu() {
		self::$hook = (string) add_management_page(
			__( 'TagGate deliveries', 'taggate' ),
			__( 'TagGate deliveries', 'taggate' ),
			self::CAP,
			self::SLUG,
			array( __CLASS__, 'render' )
		);
		if ( '' !== self::$hook ) {
			add_action( 'load-' . self::$hook, array( __CLASS__, 'screen_options' ) );
		}
	}

	/**
	 * Rows per page as a screen option.
	 */
	public static function screen_options() {
		add_screen_option(
			'per_page',
			array(
				'default' => 20,
				'option'  => 'taggate_log_per_page',
			)
		);
		add_filter( 'set_screen_option_taggate_log_per_page', array( __CLASS__, 'save_per_page' ), 10, 3 );
	}

	/**
	 * Stores the rows-per-page screen option.
	 *
	 * @param mixed  $status Status.
	 * @param string $option Option.
	 * @param int    $value  Value.
	 * @return int
	 */
	public static function save_per_page( $status, $option, $value ) {
		return max( 1, min( 200, (int) $value ) );
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
	 * Renders the list, or one delivery.
	 */
	public static function render() {
		if ( ! current_user_can( self::CAP ) ) {
			return;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only view.
		$id = isset( $_GET['delivery'] ) ? absint( $_GET['delivery'] ) : 0;
		echo '<div class="wrap taggate-log">';
		if ( ! class_exists( Delivery_Log::class ) ) {
			echo '<h1>' . esc_html__( 'TagGate deliveries', 'taggate' ) . '</h1><p>' . esc_html__( 'The delivery log is not available.', 'taggate' ) . '</p></div>';
			return;
		}
		if ( $id > 0 ) {
			self::render_detail( $id );
		} else {
			self::render_list();
		}
		echo '</div>';
	}

	/**
	 * Renders the list table.
	 */
	private static function render_list() {
		$table = new Admin_Log_Table();
		$table->prepare_items();
		echo '<h1 class="wp-heading-inline">' . esc_html__( 'TagGate deliveries', 'taggate' ) . '</h1>';
		echo '<hr class="wp-header-end" />';
		echo '<p>' . esc_html__( 'Every request to the webhook and CRM URLs. Bodies are not kept (only their SHA-256 and size); secrets never are.', 'taggate' ) . '</p>';
		echo '<form method="get" class="taggate-log-form">';
		echo '<input type="hidden" name="page" value="' . esc_attr( self::SLUG ) . '" />';
		$table->search_box( __( 'Search contact or delivery id', 'taggate' ), 'taggate-log' );
		$table->display();
		echo '</form>';
	}

	/**
	 * Renders one delivery.
	 *
	 * @param int $id Row id.
	 */
	private static function render_detail( $id ) {
		$row = Delivery_Log::get( $id );
		echo '<h1>' . esc_html__( 'TagGate delivery', 'taggate' ) . '</h1>';
		echo '<p><a href="' . esc_url( self::url() ) . '">' . esc_html__( '← All deliveries', 'taggate' ) . '</a></p>';
		if ( ! $row ) {
			echo '<p>' . esc_html__( 'No such delivery (it may have been pruned).', 'taggate' ) . '</p>';
			return;
		}
		$user   = $row['user_id'] ? get_userdata( $row['user_id'] ) : false;
		$fields = array(
			__( 'Received', 'taggate' )       => self::date( $row['received_at'] ),
			__( 'Source', 'taggate' )         => 'crm' === $row['source'] ? __( 'CRM URL', 'taggate' ) : __( 'Signed webhook', 'taggate' ),
			__( 'Scheme or adapter', 'taggate' ) => $row['scheme'],
			__( 'Delivery id', 'taggate' )    => '' === $row['delivery_id'] ? '—' : $row['delivery_id'],
			__( 'Remembered for de-duplication', 'taggate' ) => $row['remembered'] ? __( 'yes', 'taggate' ) : __( 'no', 'taggate' ),
			__( 'Command', 'taggate' )        => '' === $row['command'] ? '—' : $row['command'],
			__( 'Contact', 'taggate' )        => '' === $row['contact'] ? '—' : $row['contact'],
			__( 'Outcome', 'taggate' )        => $row['outcome'],
			__( 'HTTP status', 'taggate' )    => (string) $row['status'],
			__( 'Error code', 'taggate' )     => '' === $row['error_code'] ? '—' : $row['error_code'],
			__( 'Error message', 'taggate' )  => '' === $row['error_message'] ? '—' : $row['error_message'],
			__( 'Body', 'taggate' )           => sprintf(
				/* translators: 1: bytes, 2: hash. */
				__( '%1$s bytes, SHA-256 %2$s', 'taggate' ),
				number_format_i18n( $row['body_size'] ),
				'' === $row['body_sha256'] ? '—' : $row['body_sha256']
			),
			__( 'Time to answer', 'taggate' ) => sprintf( /* translators: %d: milliseconds. */ __( '%d ms', 'taggate' ), $row['duration_ms'] ),
		);
		echo '<table class="widefat striped taggate-delivery-detail"><tbody>';
		foreach ( $fields as $label => $value ) {
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td><code>' . esc_html( (string) $value ) . '</code></td></tr>';
		}
		echo '<tr><th scope="row">' . esc_html__( 'User', 'taggate' ) . '</th><td>';
		if ( $user ) {
			echo '<a href="' . esc_url( get_edit_user_link( $user->ID ) . '#taggate-tags' ) . '">' . esc_html( $user->user_login ) . '</a>';
		} else {
			echo '—';
		}
		echo '</td></tr></tbody></table>';
		echo '<h2>' . esc_html__( 'What it means', 'taggate' ) . '</h2><p>' . esc_html( self::explain( $row ) ) . '</p>';
	}

	/**
	 * A date for display.
	 *
	 * @param int $time Unix time.
	 * @return string
	 */
	public static function date( $time ) {
		return wp_date( 'Y-m-d H:i:s', (int) $time );
	}

	/**
	 * A plain-language hint for an outcome, for site owners.
	 *
	 * @param array $row Row.
	 * @return string
	 */
	public static function explain( array $row ) {
		switch ( $row['error_code'] ) {
			case '':
				return 'duplicate' === $row['outcome']
					? __( 'The sender repeated a delivery id seen before; nothing changed (this is how retries are made safe).', 'taggate' )
					: __( 'Applied.', 'taggate' );
			case 'missing_header':
			case 'malformed_header':
			case 'no_matching_signature':
				return __( 'The signature did not verify: the sender uses another secret or scheme than the settings page, or the body was changed on the way. After a rotation, update the sender before the window ends.', 'taggate' );
			case 'timestamp_out_of_tolerance':
				return __( 'The signed time is too far from this server\'s clock: check both clocks, or a replay of an old delivery.', 'taggate' );
			case 'invalid_command':
				return __( 'The body is not a valid command (or, on a CRM URL, the adapter found no e-mail or no tags to use). Check the adapter chosen in the settings and the tags= part of the URL.', 'taggate' );
			case 'unknown_contact':
				return __( 'No user has that e-mail and creating users was not asked for (send "create": true, or use contact.upsert first).', 'taggate' );
			case 'protected_user':
				return __( 'The contact is a user with more rights than webhook accounts may have (an editor or administrator): TagGate will not change them.', 'taggate' );
			case 'too_large':
				return __( 'The body is larger than the configured limit.', 'taggate' );
			case 'unavailable':
				return __( 'TagGate could not work: the extension is missing or no secret is configured. The sender should retry.', 'taggate' );
		}
		return (string) $row['error_message'];
	}
}
