<?php
/**
 * The tags gating reads: once per request, as cheaply as possible.
 *
 * Reading 200 tag rows costs a query per page view. So every tag change also
 * writes a snapshot of the user's whole tag set into one user meta row
 * (`taggate_tagset`), from inside the tag store's own transaction: the
 * actions taggate_tags_added / taggate_tags_removed fire there, under the
 * user's row lock, after the rows changed and before commit. The snapshot
 * therefore commits, or rolls back, together with the tags it copies, and
 * concurrent changes write it in the order they commit.
 *
 * WordPress loads all of the logged-in user's meta in one query on every
 * request anyway, so reading the snapshot costs no query at all.
 *
 * The snapshot is only trusted without a persistent object cache: with one,
 * a cached copy could outlive a rolled-back transaction, so the rows are read
 * instead (one query on the table's primary key). Users whose tags have not
 * changed since this plugin version are read from the rows too, until their
 * next change writes a snapshot. A snapshot that cannot be written makes the
 * tag change fail (and roll back): a stale snapshot must never be read.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The gating read path of a user's tags.
 */
final class Gate_Tags {

	/** The user meta key of the snapshot. */
	const META = 'taggate_tagset';

	/** Format version of the snapshot. */
	const FORMAT = 1;

	/**
	 * Adds the hooks (called by Gate::register()).
	 */
	public static function register() {
		add_action( 'taggate_tags_added', array( __CLASS__, 'write_snapshot' ), 1 );
		add_action( 'taggate_tags_removed', array( __CLASS__, 'write_snapshot' ), 1 );
	}

	/**
	 * A user's tags for gating: tag => applied_at; null when they cannot be read.
	 *
	 * @param int $user_id User id.
	 * @return array<string|int, int>|null
	 */
	public static function load( $user_id ) {
		$user_id = (int) $user_id;
		if ( ! wp_using_ext_object_cache() ) {
			$snapshot = get_user_meta( $user_id, self::META, true );
			if ( is_array( $snapshot ) && isset( $snapshot['v'], $snapshot['tags'] ) && self::FORMAT === $snapshot['v'] && is_array( $snapshot['tags'] ) ) {
				return $snapshot['tags'];
			}
		}
		return self::read_rows( $user_id );
	}

	/**
	 * The user's tag rows, unordered (gating needs no order, and sorting is
	 * most of the query's cost at 200 tags). Inside a transaction this sees
	 * the transaction's own changes.
	 *
	 * @param int $user_id User id.
	 * @return array<string|int, int>|null
	 */
	public static function read_rows( $user_id ) {
		global $wpdb;
		if ( ! class_exists( Tag_Store::class ) ) {
			return function_exists( 'taggate_get_user_tags' ) ? taggate_get_user_tags( (int) $user_id ) : null;
		}
		$table = Tag_Store::table();
		$rows  = $wpdb->get_results( $wpdb->prepare( "SELECT tag, applied_at FROM {$table} WHERE user_id = %d", (int) $user_id ), ARRAY_N ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery, WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- the plugin's own table.
		if ( ! is_array( $rows ) || '' !== $wpdb->last_error ) {
			return null;
		}
		$tags = array();
		foreach ( $rows as $row ) {
			$tags[ (string) $row[0] ] = (int) $row[1];
		}
		return $tags;
	}

	/**
	 * `taggate_tags_added` / `taggate_tags_removed`: rewrites the snapshot
	 * inside the change's transaction.
	 *
	 * @param int $user_id User id.
	 * @throws \RuntimeException When the snapshot can neither be written nor removed (the change then rolls back).
	 */
	public static function write_snapshot( $user_id ) {
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return;
		}
		$tags = self::read_rows( $user_id );
		if ( null !== $tags ) {
			$value = array(
				'v'    => self::FORMAT,
				'tags' => $tags,
			);
			// update_user_meta() answers false for "unchanged" as well as for a failure.
			if ( false !== update_user_meta( $user_id, self::META, $value ) || get_user_meta( $user_id, self::META, true ) === $value ) {
				return;
			}
		}
		// No snapshot is better than a stale one: the rows are read instead.
		delete_user_meta( $user_id, self::META );
		wp_cache_delete( $user_id, 'user_meta' );
		if ( '' !== (string) get_user_meta( $user_id, self::META, true ) ) {
			throw new \RuntimeException( 'TagGate: the tag snapshot could not be updated.' );
		}
	}
}
