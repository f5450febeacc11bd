<?php
/**
 * Tags in the users screens:
 *
 * - the profile screen (own and others') shows the user's tags with the time
 *   each was applied, and lets those with edit_users add and remove them
 *   (nonce; the change goes through the tag store with source "admin", so
 *   the actions taggate_tags_added / taggate_tags_removed fire);
 * - the users list gets a Tags column (all users of the page read in one
 *   query) and a filter by tag.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * User tags in wp-admin.
 */
final class Admin_User_Tags {

	const CAP    = 'edit_users';
	const NONCE  = 'taggate_user_tags_';
	const FILTER = 'taggate_tag';

	/**
	 * Tags of the users on the current list page: user id => tag => time.
	 *
	 * @var array<int, array<string, int>>|null
	 */
	private static $list_tags = null;

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		if ( ! is_admin() ) {
			return; // wp-admin screens only (admin-post.php and admin-ajax.php included).
		}
		add_action( 'show_user_profile', array( __CLASS__, 'render_profile' ), 20 );
		add_action( 'edit_user_profile', array( __CLASS__, 'render_profile' ), 20 );
		add_action( 'personal_options_update', array( __CLASS__, 'save_profile' ) );
		add_action( 'edit_user_profile_update', array( __CLASS__, 'save_profile' ) );
		add_action( 'user_profile_update_errors', array( __CLASS__, 'profile_errors' ), 10, 3 );

		add_filter( 'manage_users_columns', array( __CLASS__, 'add_column' ) );
		add_filter( 'manage_users_custom_column', array( __CLASS__, 'render_column' ), 10, 3 );
		add_action( 'restrict_manage_users', array( __CLASS__, 'render_filter' ) );
		add_action( 'pre_user_query', array( __CLASS__, 'filter_users' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
	}

	/**
	 * The stylesheet, on the users screens only.
	 *
	 * @param string $hook_suffix Page.
	 */
	public static function enqueue( $hook_suffix ) {
		if ( in_array( $hook_suffix, array( 'users.php', 'profile.php', 'user-edit.php' ), true ) ) {
			Gate_Assets::enqueue_admin_style();
		}
	}

	/**
	 * Whether the tag store is there to use.
	 *
	 * @return bool
	 */
	private static function store_ready() {
		return class_exists( Tag_Store::class );
	}

	/**
	 * A time for display: the site's date format and "… ago".
	 *
	 * @param int $time Unix seconds (0: unknown).
	 * @return string
	 */
	private static function when( $time ) {
		if ( $time <= 0 ) {
			return __( 'unknown', 'taggate' );
		}
		return sprintf(
			/* translators: 1: date and time, 2: e.g. "3 days". */
			__( '%1$s (%2$s ago)', 'taggate' ),
			wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), $time ),
			human_time_diff( $time, time() )
		);
	}

	/**
	 * Splits typed tags (commas or new lines).
	 *
	 * @param string $text Text.
	 * @return string[]
	 */
	private static function split( $text ) {
		return array_values( array_filter( array_map( 'trim', preg_split( '/[\r\n,]+/', (string) $text ) ), 'strlen' ) );
	}

	/*
	 * ------------------------------------------------------------------
	 * Profile screen.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Renders the tags section of a profile.
	 *
	 * @param \WP_User $user The user.
	 */
	public static function render_profile( $user ) {
		if ( ! current_user_can( self::CAP ) || ! current_user_can( 'edit_user', $user->ID ) || ! self::store_ready() ) {
			return;
		}
		$tags = Tag_Store::get( $user->ID );
		wp_nonce_field( self::NONCE . $user->ID, 'taggate_user_tags_nonce' );
		?>
		<h2 id="taggate-tags"><?php esc_html_e( 'TagGate tags', 'taggate' ); ?></h2>
		<table class="form-table taggate-user-tags" role="presentation">
			<tr>
				<th scope="row"><?php esc_html_e( 'Tags', 'taggate' ); ?></th>
				<td>
					<?php if ( ! $tags ) : ?>
						<p class="taggate-no-tags"><?php esc_html_e( 'No tags.', 'taggate' ); ?></p>
					<?php else : ?>
						<table class="widefat striped taggate-tag-table">
							<thead>
								<tr>
									<th scope="col"><?php esc_html_e( 'Tag', 'taggate' ); ?></th>
									<th scope="col"><?php esc_html_e( 'Applied', 'taggate' ); ?></th>
									<th scope="col"><?php esc_html_e( 'Remove', 'taggate' ); ?></th>
								</tr>
							</thead>
							<tbody>
							<?php foreach ( $tags as $tag => $applied_at ) : ?>
								<tr>
									<td class="taggate-tag"><code><?php echo esc_html( (string) $tag ); ?></code></td>
									<td><?php echo esc_html( self::when( (int) $applied_at ) ); ?></td>
									<td>
										<label>
											<input type="checkbox" name="taggate_remove_tags[]" value="<?php echo esc_attr( (string) $tag ); ?>" />
											<span class="screen-reader-text">
												<?php
												/* translators: %s: tag. */
												echo esc_html( sprintf( __( 'Remove %s', 'taggate' ), (string) $tag ) );
												?>
											</span>
										</label>
									</td>
								</tr>
							<?php endforeach; ?>
							</tbody>
						</table>
					<?php endif; ?>
				</td>
			</tr>
			<tr>
				<th scope="row"><label for="taggate-add-tags"><?php esc_html_e( 'Add tags', 'taggate' ); ?></label></th>
				<td>
					<input type="text" id="taggate-add-tags" name="taggate_add_tags" class="regular-text" value="" autocomplete="off" />
					<p class="description"><?php esc_html_e( 'Separated by commas. They are applied now, as if the CRM had added them; the CRM may change them again on its next sync.', 'taggate' ); ?></p>
				</td>
			</tr>
		</table>
		<?php
	}

	/**
	 * Saves the tag changes of a profile (nonce, edit_users, edit_user).
	 *
	 * @param int $user_id The user.
	 */
	public static function save_profile( $user_id ) {
		if ( ! isset( $_POST['taggate_user_tags_nonce'] ) || ! self::store_ready() ) {
			return;
		}
		if ( ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST['taggate_user_tags_nonce'] ) ), self::NONCE . $user_id ) ) {
			return;
		}
		if ( ! current_user_can( self::CAP ) || ! current_user_can( 'edit_user', $user_id ) ) {
			return;
		}
		// Tags are not HTML: they are checked by the tag store (SPEC §1) and escaped on output.
		$add    = isset( $_POST['taggate_add_tags'] ) ? self::split( wp_unslash( $_POST['taggate_add_tags'] ) ) : array(); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$remove = isset( $_POST['taggate_remove_tags'] ) && is_array( $_POST['taggate_remove_tags'] ) ? array_values( array_filter( array_map( 'strval', wp_unslash( $_POST['taggate_remove_tags'] ) ), 'strlen' ) ) : array(); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$errors = array();
		if ( $remove ) {
			try {
				Tag_Store::remove( (int) $user_id, $remove, 'admin' );
			} catch ( \Throwable $e ) {
				$errors[] = $e->getMessage();
			}
		}
		if ( $add ) {
			try {
				Tag_Store::add( (int) $user_id, $add, 'admin' );
			} catch ( \Throwable $e ) {
				$errors[] = $e->getMessage();
			}
		}
		if ( $errors ) {
			set_transient( 'taggate_profile_errors_' . get_current_user_id(), $errors, 60 );
		}
	}

	/**
	 * Reports the errors of save_profile() on the profile screen.
	 *
	 * @param \WP_Error $errors Errors.
	 * @param bool      $update Whether an update.
	 * @param \stdClass $user   User.
	 */
	public static function profile_errors( $errors, $update = false, $user = null ) {
		// save_profile() runs first (personal_options_update / edit_user_profile_update),
		// then edit_user() fires this hook: its errors are shown on the same screen.
		$key    = 'taggate_profile_errors_' . get_current_user_id();
		$stored = get_transient( $key );
		if ( is_array( $stored ) ) {
			delete_transient( $key );
			foreach ( $stored as $message ) {
				/* translators: %s: the problem. */
				$errors->add( 'taggate_tags', esc_html( sprintf( __( 'TagGate tags were not changed: %s', 'taggate' ), (string) $message ) ) );
			}
		}
	}

	/*
	 * ------------------------------------------------------------------
	 * Users list.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Adds the Tags column.
	 *
	 * @param array $columns Columns.
	 * @return array
	 */
	public static function add_column( $columns ) {
		if ( current_user_can( self::CAP ) && self::store_ready() ) {
			$columns['taggate_tags'] = __( 'Tags', 'taggate' );
		}
		return $columns;
	}

	/**
	 * Loads the tags of every user of the list page in one query.
	 *
	 * @return array<int, array<string, int>>
	 */
	private static function list_tags() {
		global $wpdb, $wp_list_table;
		if ( null !== self::$list_tags ) {
			return self::$list_tags;
		}
		self::$list_tags = array();
		$ids             = array();
		if ( $wp_list_table instanceof \WP_Users_List_Table && is_array( $wp_list_table->items ) ) {
			foreach ( $wp_list_table->items as $item ) {
				$ids[] = (int) ( is_object( $item ) ? $item->ID : $item );
			}
		}
		$ids = array_values( array_filter( array_unique( $ids ) ) );
		if ( ! $ids ) {
			return self::$list_tags;
		}
		$placeholders = implode( ',', array_fill( 0, count( $ids ), '%d' ) );
		$table        = Tag_Store::table();
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the table name is the plugin's; values are placeholders.
		$rows = $wpdb->get_results( $wpdb->prepare( "SELECT user_id, tag, applied_at FROM {$table} WHERE user_id IN ($placeholders) ORDER BY applied_at, seq", $ids ) );
		foreach ( (array) $rows as $row ) {
			self::$list_tags[ (int) $row->user_id ][ (string) $row->tag ] = (int) $row->applied_at;
		}
		return self::$list_tags;
	}

	/**
	 * Renders the Tags column.
	 *
	 * @param string $output  Output.
	 * @param string $column  Column.
	 * @param int    $user_id User.
	 * @return string
	 */
	public static function render_column( $output, $column, $user_id ) {
		if ( 'taggate_tags' !== $column ) {
			return $output;
		}
		$all  = self::list_tags();
		$tags = isset( $all[ (int) $user_id ] ) ? $all[ (int) $user_id ] : ( isset( $GLOBALS['wp_list_table'] ) ? array() : Tag_Store::get( (int) $user_id ) );
		if ( ! $tags ) {
			return '<span aria-hidden="true">—</span><span class="screen-reader-text">' . esc_html__( 'No tags', 'taggate' ) . '</span>';
		}
		$links = array();
		foreach ( $tags as $tag => $applied_at ) {
			$links[] = sprintf(
				'<a href="%1$s" class="taggate-tag-link" title="%2$s">%3$s</a>',
				esc_url( add_query_arg( self::FILTER, rawurlencode( (string) $tag ), admin_url( 'users.php' ) ) ),
				esc_attr( self::when( (int) $applied_at ) ),
				esc_html( (string) $tag )
			);
		}
		$shown = array_slice( $links, 0, 12 );
		$more  = count( $links ) - count( $shown );
		$html  = implode( ', ', $shown );
		if ( $more > 0 ) {
			/* translators: %d: number of further tags. */
			$html .= ' ' . esc_html( sprintf( _n( 'and %d more', 'and %d more', $more, 'taggate' ), $more ) );
		}
		return $html;
	}

	/**
	 * The tag asked for by the filter ('' for none).
	 *
	 * @return string
	 */
	private static function requested_tag() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a read-only list filter.
		return isset( $_GET[ self::FILTER ] ) ? trim( sanitize_text_field( wp_unslash( $_GET[ self::FILTER ] ) ) ) : '';
	}

	/**
	 * Renders the filter above the users list.
	 *
	 * @param string $which 'top' or 'bottom'.
	 */
	public static function render_filter( $which = 'top' ) {
		if ( 'top' !== $which || ! current_user_can( self::CAP ) || ! self::store_ready() ) {
			return;
		}
		$current = self::requested_tag();
		$known   = Tag_Store::all_tags( 200 );
		?>
		<label class="screen-reader-text" for="taggate-tag-filter"><?php esc_html_e( 'Filter by tag', 'taggate' ); ?></label>
		<input type="text" list="taggate-known-tags" id="taggate-tag-filter" name="<?php echo esc_attr( self::FILTER ); ?>" value="<?php echo esc_attr( $current ); ?>" placeholder="<?php esc_attr_e( 'Filter by tag…', 'taggate' ); ?>" class="taggate-tag-filter" />
		<datalist id="taggate-known-tags">
			<?php foreach ( $known as $tag => $count ) : ?>
				<option value="<?php echo esc_attr( (string) $tag ); ?>"></option>
			<?php endforeach; ?>
		</datalist>
		<?php
		submit_button( __( 'Filter', 'taggate' ), '', 'taggate_filter', false );
	}

	/**
	 * `pre_user_query`: the users list limited to holders of a tag.
	 *
	 * @param \WP_User_Query $query Query.
	 */
	public static function filter_users( $query ) {
		global $wpdb, $pagenow;
		if ( ! is_admin() || 'users.php' !== $pagenow || ! current_user_can( self::CAP ) || ! self::store_ready() ) {
			return;
		}
		$tag = self::requested_tag();
		if ( '' === $tag ) {
			return;
		}
		try {
			$hash = Tag_Store::hash( $tag );
		} catch ( \Throwable $e ) {
			$query->query_where .= ' AND 1=0';
			return;
		}
		$table               = Tag_Store::table();
		$query->query_where .= $wpdb->prepare( " AND {$wpdb->users}.ID IN (SELECT user_id FROM {$table} WHERE tag_hash = UNHEX(%s))", $hash ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- table names.
	}
}
