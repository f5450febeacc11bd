<?php
/**
 * Tag storage: one row per (user, tag key) in `{prefix}taggate_tags`.
 *
 * Every change runs in a transaction that first locks the user's row in
 * `{prefix}taggate_users` (an atomic INSERT … ON DUPLICATE KEY UPDATE that
 * also bumps the user's tag version), then reads the user's tags and writes
 * only the difference. Concurrent changes for one user therefore queue on
 * that row lock and never lose each other's work, on one server or on many
 * sharing one database. Nothing is ever a read-modify-write of a serialized
 * array.
 *
 * The actions `taggate_tags_added` / `taggate_tags_removed` fire inside the
 * transaction, before commit: a listener that throws rolls the whole change
 * back (and its own writes to the database with it).
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The tag store.
 */
final class Tag_Store {

	/** Unicode White_Space, as Rust's `char::is_whitespace` (SPEC §1). */
	const WS = '\x{9}-\x{d}\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}';

	/** Longest tag, in bytes after trimming. */
	const MAX_BYTES = 255;

	/**
	 * Tags read in this request, by user id (invalidated on every change).
	 *
	 * @var array<int,array<string,int>>
	 */
	private static $cache = array();

	/**
	 * The tags table.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'taggate_tags';
	}

	/**
	 * The per-user lock/version table.
	 *
	 * @return string
	 */
	public static function users_table() {
		global $wpdb;
		return $wpdb->prefix . 'taggate_users';
	}

	/**
	 * Validates a tag (SPEC §1) and returns it trimmed: the spelling stored.
	 *
	 * @param mixed $tag A tag.
	 * @return string
	 * @throws \ValueError On an invalid tag.
	 */
	public static function normalize( $tag ) {
		if ( ! is_string( $tag ) ) {
			throw new \ValueError( 'a tag must be a string' );
		}
		if ( ! preg_match( '//u', $tag ) ) {
			throw new \ValueError( 'a tag must be valid UTF-8' );
		}
		$trimmed = preg_replace( '/^[' . self::WS . ']+|[' . self::WS . ']+$/u', '', $tag );
		if ( '' === $trimmed ) {
			throw new \ValueError( 'a tag cannot be empty' );
		}
		if ( strlen( $trimmed ) > self::MAX_BYTES ) {
			throw new \ValueError( 'a tag is at most 255 bytes' );
		}
		if ( preg_match( '/[\x00-\x1f\x7f]/', $trimmed ) ) {
			throw new \ValueError( 'a tag cannot contain control characters' );
		}
		return $trimmed;
	}

	/**
	 * The key of a tag (SPEC §1): trimmed, inner white space runs as one
	 * space, Unicode lower case (with the final-sigma rule, as Rust's
	 * `str::to_lowercase`). Two tags are the same tag when their keys match.
	 *
	 * @param string $tag A tag.
	 * @return string
	 * @throws \ValueError On an invalid tag.
	 */
	public static function key( $tag ) {
		if ( function_exists( 'taggate_tag_key' ) && is_string( $tag ) ) {
			// The extension's own key function: the same Unicode tables as
			// every rule and tag set it evaluates.
			return \taggate_tag_key( $tag );
		}
		// Fallback without the extension (webhooks then answer 503; this
		// serves admin screens and the global API functions).
		$tag = preg_replace( '/[' . self::WS . ']+/u', ' ', self::normalize( $tag ) );
		if ( false !== strpos( $tag, "\u{3A3}" ) ) {
			$tag = self::final_sigma( $tag );
		}
		return mb_strtolower( $tag, 'UTF-8' );
	}

	/**
	 * Binary hash of a tag's key, the table's index (hex, for UNHEX()).
	 *
	 * @param string $tag A tag.
	 * @return string 40 hex digits.
	 */
	public static function hash( $tag ) {
		return sha1( self::key( $tag ) );
	}

	/**
	 * Validates a list of tags and de-duplicates it by key, first spelling
	 * kept. Accepts a list of strings or a map tag => applied_at (int|null).
	 *
	 * @param array $tags Tags.
	 * @return array<string,array{tag:string,at:?int}> Hash => tag and time.
	 * @throws \ValueError On an invalid tag.
	 */
	public static function prepare( array $tags ) {
		$out = array();
		foreach ( $tags as $k => $v ) {
			if ( is_string( $v ) ) {
				$tag = $v;
				$at  = null;
			} elseif ( is_int( $v ) || null === $v ) {
				$tag = (string) $k;
				$at  = $v;
			} else {
				throw new \ValueError( 'a tag must be a string' );
			}
			$spelling = self::normalize( $tag );
			$hash     = self::hash( $spelling );
			if ( ! isset( $out[ $hash ] ) ) {
				$out[ $hash ] = array(
					'tag' => $spelling,
					'at'  => $at,
				);
			}
		}
		return $out;
	}

	/**
	 * A user's tags: first spelling => applied_at (Unix seconds), oldest first.
	 *
	 * @param int $user_id User id.
	 * @return array<string,int>
	 */
	public static function get( $user_id ) {
		global $wpdb;
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			return array();
		}
		if ( isset( self::$cache[ $user_id ] ) ) {
			return self::$cache[ $user_id ];
		}
		$rows = Db::rows(
			$wpdb->prepare(
				'SELECT tag, applied_at FROM ' . self::table() . ' WHERE user_id = %d ORDER BY applied_at, seq', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$user_id
			)
		);
		$tags = array();
		foreach ( $rows as $row ) {
			$tags[ (string) $row['tag'] ] = (int) $row['applied_at'];
		}
		if ( ! Db::in_transaction() ) {
			self::$cache[ $user_id ] = $tags;
		}
		return $tags;
	}

	/**
	 * True when the user holds the tag.
	 *
	 * @param int    $user_id User id.
	 * @param string $tag     Tag.
	 * @return bool
	 */
	public static function has( $user_id, $tag ) {
		global $wpdb;
		try {
			$hash = self::hash( $tag );
		} catch ( \ValueError $e ) {
			return false;
		}
		return null !== Db::value(
			$wpdb->prepare(
				'SELECT 1 FROM ' . self::table() . ' WHERE user_id = %d AND tag_hash = UNHEX(%s)', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				(int) $user_id,
				$hash
			)
		);
	}

	/**
	 * The user's tag version: bumped by every change (for caches).
	 *
	 * @param int $user_id User id.
	 * @return int 0 when the user's tags never changed.
	 */
	public static function version( $user_id ) {
		global $wpdb;
		return (int) Db::value(
			$wpdb->prepare( 'SELECT version FROM ' . self::users_table() . ' WHERE user_id = %d', (int) $user_id ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
	}

	/**
	 * Adds tags. A tag the user already holds keeps its first spelling and
	 * its applied time (re-adding does not restart a drip clock).
	 *
	 * @param int      $user_id User id.
	 * @param array    $tags    Tags (list, or tag => applied_at).
	 * @param string   $source  Who asks (`webhook`, `crm:<adapter>`, `api`, `admin`…), passed to the actions.
	 * @param int|null $now     Applied time for tags without one (default now).
	 * @return string[] The tags actually added (spellings).
	 * @throws \ValueError On an invalid tag (nothing is changed).
	 */
	public static function add( $user_id, array $tags, $source = 'api', $now = null ) {
		$wanted = self::prepare( $tags );
		$now    = null === $now ? time() : (int) $now;
		return Db::atomic(
			function () use ( $user_id, $wanted, $source, $now ) {
				$current = self::lock( $user_id, array_keys( $wanted ) );
				$added   = array();
				foreach ( $wanted as $hash => $item ) {
					if ( ! isset( $current[ $hash ] ) ) {
						$added[ $hash ] = array(
							'tag' => $item['tag'],
							'at'  => null === $item['at'] ? $now : (int) $item['at'],
						);
					}
				}
				self::insert_rows( $user_id, $added );
				$list = array_values( wp_list_pluck( $added, 'tag' ) );
				if ( $list ) {
					self::fire( 'taggate_tags_added', $user_id, $list, $source );
				}
				return $list;
			}
		);
	}

	/**
	 * Removes tags (by key, whatever their spelling).
	 *
	 * @param int    $user_id User id.
	 * @param array  $tags    Tags.
	 * @param string $source  Who asks.
	 * @return string[] The tags actually removed (stored spellings).
	 * @throws \ValueError On an invalid tag (nothing is changed).
	 */
	public static function remove( $user_id, array $tags, $source = 'api' ) {
		$wanted = self::prepare( $tags );
		return Db::atomic(
			function () use ( $user_id, $wanted, $source ) {
				$current = self::lock( $user_id, array_keys( $wanted ) );
				$gone    = array_intersect_key( $current, $wanted );
				self::delete_rows( $user_id, array_keys( $gone ) );
				$list = array_values( $gone );
				if ( $list ) {
					self::fire( 'taggate_tags_removed', $user_id, $list, $source );
				}
				return $list;
			}
		);
	}

	/**
	 * Makes the user's tags exactly $tags. Tags kept keep their spelling and time.
	 *
	 * @param int      $user_id User id.
	 * @param array    $tags    Tags.
	 * @param string   $source  Who asks.
	 * @param int|null $now     Applied time of new tags.
	 * @return array{added:string[],removed:string[]}
	 * @throws \ValueError On an invalid tag (nothing is changed).
	 */
	public static function set( $user_id, array $tags, $source = 'api', $now = null ) {
		$wanted = self::prepare( $tags );
		$now    = null === $now ? time() : (int) $now;
		return Db::atomic(
			function () use ( $user_id, $wanted, $source, $now ) {
				$current = self::lock( $user_id );
				$gone    = array_diff_key( $current, $wanted );
				$added   = array();
				foreach ( array_diff_key( $wanted, $current ) as $hash => $item ) {
					$added[ $hash ] = array(
						'tag' => $item['tag'],
						'at'  => null === $item['at'] ? $now : (int) $item['at'],
					);
				}
				self::delete_rows( $user_id, array_keys( $gone ) );
				self::insert_rows( $user_id, $added );
				$removed_list = array_values( $gone );
				$added_list   = array_values( wp_list_pluck( $added, 'tag' ) );
				if ( $removed_list ) {
					self::fire( 'taggate_tags_removed', $user_id, $removed_list, $source );
				}
				if ( $added_list ) {
					self::fire( 'taggate_tags_added', $user_id, $added_list, $source );
				}
				return array(
					'added'   => $added_list,
					'removed' => $removed_list,
				);
			}
		);
	}

	/**
	 * Removes every tag of the user.
	 *
	 * @param int    $user_id User id.
	 * @param string $source  Who asks.
	 * @return string[] The tags removed.
	 */
	public static function clear( $user_id, $source = 'api' ) {
		$result = self::set( $user_id, array(), $source );
		return $result['removed'];
	}

	/**
	 * Forgets a deleted user's rows (no actions fire). Hooked to `deleted_user`.
	 *
	 * @param int $user_id User id.
	 */
	public static function delete_user( $user_id ) {
		global $wpdb;
		$user_id = (int) $user_id;
		Db::atomic(
			function () use ( $wpdb, $user_id ) {
				Db::query( $wpdb->prepare( 'DELETE FROM ' . self::table() . ' WHERE user_id = %d', $user_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				Db::query( $wpdb->prepare( 'DELETE FROM ' . self::users_table() . ' WHERE user_id = %d', $user_id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			}
		);
		unset( self::$cache[ $user_id ] );
	}

	/**
	 * Ids of the users holding a tag, newest first (for admin screens).
	 *
	 * @param string $tag    Tag.
	 * @param int    $limit  Rows.
	 * @param int    $offset Offset.
	 * @return int[]
	 */
	public static function users_with_tag( $tag, $limit = 100, $offset = 0 ) {
		global $wpdb;
		try {
			$hash = self::hash( $tag );
		} catch ( \ValueError $e ) {
			return array();
		}
		$rows = Db::rows(
			$wpdb->prepare(
				'SELECT user_id FROM ' . self::table() . ' WHERE tag_hash = UNHEX(%s) ORDER BY applied_at DESC LIMIT %d OFFSET %d', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$hash,
				max( 1, (int) $limit ),
				max( 0, (int) $offset )
			)
		);
		return array_map( 'intval', wp_list_pluck( $rows, 'user_id' ) );
	}

	/**
	 * The distinct tags in use (one spelling per key) with how many users
	 * hold each, most used first (for the editor's suggestions).
	 *
	 * @param int $limit Most tags returned.
	 * @return array<string,int> Tag => number of users.
	 */
	public static function all_tags( $limit = 500 ) {
		global $wpdb;
		$rows = Db::rows(
			$wpdb->prepare(
				'SELECT MIN(tag) AS tag, COUNT(*) AS users FROM ' . self::table() . ' GROUP BY tag_hash ORDER BY users DESC, tag LIMIT %d', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				max( 1, (int) $limit )
			)
		);
		$out = array();
		foreach ( $rows as $row ) {
			$out[ (string) $row['tag'] ] = (int) $row['users'];
		}
		return $out;
	}

	/**
	 * Forgets the per-request cache.
	 *
	 * @param int|null $user_id One user, or everyone.
	 */
	public static function flush_cache( $user_id = null ) {
		if ( null === $user_id ) {
			self::$cache = array();
		} else {
			unset( self::$cache[ (int) $user_id ] );
		}
	}

	/**
	 * Locks the user's tags for the rest of the transaction (and bumps the
	 * version), then reads them: all of them, or only those of $only.
	 *
	 * @param int           $user_id User id.
	 * @param string[]|null $only    Hashes to read (null: every tag).
	 * @return array<string,string> Hash (hex) => stored spelling.
	 * @throws \InvalidArgumentException For a user id that is not positive.
	 */
	private static function lock( $user_id, $only = null ) {
		global $wpdb;
		$user_id = (int) $user_id;
		if ( $user_id <= 0 ) {
			throw new \InvalidArgumentException( 'TagGate: a positive user id is needed.' );
		}
		$now = time();
		Db::query(
			$wpdb->prepare(
				'INSERT INTO ' . self::users_table() . ' (user_id, version, updated_at) VALUES (%d, 1, %d) ON DUPLICATE KEY UPDATE version = version + 1, updated_at = VALUES(updated_at)', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$user_id,
				$now
			)
		);
		unset( self::$cache[ $user_id ] );
		Db::on_rollback(
			static function () use ( $user_id ) {
				unset( self::$cache[ $user_id ] );
			}
		);
		Db::after_commit(
			static function () use ( $user_id ) {
				unset( self::$cache[ $user_id ] );
			}
		);
		$sql = $wpdb->prepare( 'SELECT HEX(tag_hash) AS h, tag FROM ' . self::table() . ' WHERE user_id = %d', $user_id ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( null !== $only ) {
			if ( ! $only ) {
				return array();
			}
			$sql .= ' AND tag_hash IN (' . implode( ', ', array_map( static function ( $h ) use ( $wpdb ) {
				return $wpdb->prepare( 'UNHEX(%s)', $h );
			}, $only ) ) . ')';
		}
		$rows    = Db::rows( $sql );
		$current = array();
		foreach ( $rows as $row ) {
			$current[ strtolower( $row['h'] ) ] = (string) $row['tag'];
		}
		return $current;
	}

	/**
	 * Inserts rows in one statement.
	 *
	 * @param int   $user_id User id.
	 * @param array $rows    Hash => ['tag' => …, 'at' => …].
	 */
	private static function insert_rows( $user_id, array $rows ) {
		global $wpdb;
		foreach ( array_chunk( $rows, 500, true ) as $chunk ) {
			$values = array();
			foreach ( $chunk as $hash => $item ) {
				$values[] = $wpdb->prepare( '(%d, UNHEX(%s), %s, %d)', (int) $user_id, $hash, $item['tag'], (int) $item['at'] );
			}
			Db::query( 'INSERT INTO ' . self::table() . ' (user_id, tag_hash, tag, applied_at) VALUES ' . implode( ', ', $values ) );
		}
	}

	/**
	 * Deletes rows by hash in one statement.
	 *
	 * @param int      $user_id User id.
	 * @param string[] $hashes  Hashes (hex).
	 */
	private static function delete_rows( $user_id, array $hashes ) {
		global $wpdb;
		foreach ( array_chunk( $hashes, 500 ) as $chunk ) {
			$in = implode( ', ', array_map( static function ( $h ) use ( $wpdb ) {
				return $wpdb->prepare( 'UNHEX(%s)', $h );
			}, $chunk ) );
			Db::query( $wpdb->prepare( 'DELETE FROM ' . self::table() . ' WHERE user_id = %d', (int) $user_id ) . " AND tag_hash IN ($in)" ); // phpcs:ignore WordPress.DB.PreparedSQL
		}
	}

	/**
	 * Fires a tag action.
	 *
	 * @param string   $action  `taggate_tags_added` or `taggate_tags_removed`.
	 * @param int      $user_id User id.
	 * @param string[] $tags    Tags.
	 * @param string   $source  Source.
	 */
	private static function fire( $action, $user_id, array $tags, $source ) {
		/**
		 * Fires inside the transaction after tags were added to / removed
		 * from a user. Throwing rolls the whole change back.
		 *
		 * @param int      $user_id User id.
		 * @param string[] $tags    The tags added / removed.
		 * @param string   $source  `webhook`, `crm:<adapter>`, `api`, `admin`, …
		 */
		do_action( $action, (int) $user_id, $tags, (string) $source );
	}

	/**
	 * Applies Unicode's final-sigma rule: a capital sigma that ends a word
	 * lower-cases to ς rather than σ (as Rust's `to_lowercase` does).
	 *
	 * @param string $text Text holding Σ.
	 * @return string
	 */
	private static function final_sigma( $text ) {
		$cased  = '[\p{Lu}\p{Ll}\p{Lt}]';
		$ignore = "[\\p{Mn}\\p{Me}\\p{Cf}\\p{Lm}\\p{Sk}'.:\\x{b7}\\x{2018}\\x{2019}\\x{2024}\\x{fe13}\\x{fe52}\\x{fe55}\\x{ff07}\\x{ff0e}\\x{ff1a}]";
		$out    = '';
		$offset = 0;
		while ( false !== ( $pos = strpos( $text, "\u{3A3}", $offset ) ) ) { // phpcs:ignore WordPress.CodeAnalysis.AssignmentInCondition
			$before = substr( $text, 0, $pos );
			$after  = substr( $text, $pos + 2 );
			$final  = preg_match( '/' . $cased . $ignore . '*$/u', $before ) && ! preg_match( '/^' . $ignore . '*' . $cased . '/u', $after );
			$out   .= substr( $text, $offset, $pos - $offset ) . ( $final ? "\u{3C2}" : "\u{3A3}" );
			$offset = $pos + 2;
		}
		return $out . substr( $text, $offset );
	}
}
