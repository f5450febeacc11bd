<?php
/**
 * The delivery log and de-duplication table `{prefix}taggate_deliveries`.
 *
 * One row per request to the webhook or CRM endpoint. A verified delivery id
 * is stored in `delivery_key` (unique: SHA-256 of the id), which is what
 * makes a repeat a duplicate; rows of deliveries that ended in a 5xx, that
 * failed verification, or that repeated an id keep `delivery_key` NULL. The
 * body itself is never stored (it holds personal data): only its SHA-256 and
 * size.
 *
 * Columns (as returned by query() and get(), all as PHP scalars):
 *
 * | column        | type   | meaning |
 * | ------------- | ------ | ------- |
 * | id            | int    | row id |
 * | delivery_id   | string | the id as sent ('' when the scheme has none) |
 * | remembered    | bool   | true when this row holds the id for de-duplication |
 * | received_at   | int    | Unix time |
 * | source        | string | `webhook` or `crm` |
 * | scheme        | string | signature scheme (webhook) or adapter name (crm) |
 * | command       | string | `tags.add`, … ('' when unknown) |
 * | contact       | string | the contact's e-mail (first one for a batch) |
 * | user_id       | int    | the WordPress user acted on (0: none) |
 * | outcome       | string | `applied`, `duplicate`, `rejected` (4xx), `failed` (5xx) |
 * | status        | int    | HTTP status answered |
 * | error_code    | string | `error.code` answered ('' on success) |
 * | error_message | string | `error.message` answered |
 * | body_sha256   | string | hex SHA-256 of the raw body |
 * | body_size     | int    | bytes |
 * | duration_ms   | int    | time spent answering |
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Delivery log API (read by the admin log screen).
 */
final class Delivery_Log {

	/** Columns query() may order by. */
	const ORDERBY = array( 'id', 'received_at', 'status', 'command', 'outcome', 'source', 'contact' );

	/**
	 * The table.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'taggate_deliveries';
	}

	/**
	 * Claims a delivery id inside the open transaction: inserts its row with
	 * the unique key. Answers false when the id was seen before (a duplicate).
	 * A concurrent claim of the same id waits for this transaction: it sees a
	 * duplicate after commit, or claims the id itself after a rollback.
	 *
	 * @param string $delivery_key Id to de-duplicate on (the delivery id, or a derived one).
	 * @param array  $row          Columns (see record()).
	 * @return int|false Row id, or false for a duplicate.
	 */
	public static function claim( $delivery_key, array $row ) {
		global $wpdb;
		$row  = self::row( $row );
		$sql  = $wpdb->prepare(
			'INSERT IGNORE INTO ' . self::table() . ' (delivery_key, delivery_id, received_at, source, scheme, command, contact, user_id, outcome, status, error_code, error_message, body_sha256, body_size, duration_ms) VALUES (UNHEX(%s), %s, %d, %s, %s, %s, %s, %d, %s, %d, %s, %s, %s, %d, %d)', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			hash( 'sha256', (string) $delivery_key ),
			$row['delivery_id'],
			$row['received_at'],
			$row['source'],
			$row['scheme'],
			$row['command'],
			$row['contact'],
			$row['user_id'],
			'processing',
			0,
			'',
			'',
			$row['body_sha256'],
			$row['body_size'],
			0
		);
		if ( 1 !== (int) Db::query( $sql ) ) {
			return false;
		}
		return (int) $wpdb->insert_id;
	}

	/**
	 * The row that remembers a delivery key.
	 *
	 * @param string $delivery_key Id.
	 * @return array|null
	 */
	public static function find_key( $delivery_key ) {
		global $wpdb;
		$rows = Db::rows(
			$wpdb->prepare( self::select() . ' WHERE delivery_key = UNHEX(%s)', hash( 'sha256', (string) $delivery_key ) ) // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		);
		return $rows ? self::shape( $rows[0] ) : null;
	}

	/**
	 * Completes a claimed row.
	 *
	 * @param int   $id  Row id from claim().
	 * @param array $row Columns to set (command, contact, user_id, outcome, status, error_code, error_message, duration_ms).
	 */
	public static function finish( $id, array $row ) {
		global $wpdb;
		$row = self::row( $row );
		Db::query(
			$wpdb->prepare(
				'UPDATE ' . self::table() . ' SET command = %s, contact = %s, user_id = %d, outcome = %s, status = %d, error_code = %s, error_message = %s, duration_ms = %d WHERE id = %d', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$row['command'],
				$row['contact'],
				$row['user_id'],
				$row['outcome'],
				$row['status'],
				$row['error_code'],
				$row['error_message'],
				$row['duration_ms'],
				(int) $id
			)
		);
	}

	/**
	 * Appends a row that remembers nothing (delivery_key NULL). Never throws:
	 * logging must not turn an answer into an error.
	 *
	 * @param array $row Columns: delivery_id, received_at, source, scheme, command, contact, user_id,
	 *                   outcome, status, error_code, error_message, body_sha256, body_size, duration_ms.
	 * @return int Row id (0 when the row could not be written).
	 */
	public static function record( array $row ) {
		global $wpdb;
		$row = self::row( $row );
		try {
			Db::query(
				$wpdb->prepare(
					'INSERT INTO ' . self::table() . ' (delivery_key, delivery_id, received_at, source, scheme, command, contact, user_id, outcome, status, error_code, error_message, body_sha256, body_size, duration_ms) VALUES (NULL, %s, %d, %s, %s, %s, %s, %d, %s, %d, %s, %s, %s, %d, %d)', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
					$row['delivery_id'],
					$row['received_at'],
					$row['source'],
					$row['scheme'],
					$row['command'],
					$row['contact'],
					$row['user_id'],
					$row['outcome'],
					$row['status'],
					$row['error_code'],
					$row['error_message'],
					$row['body_sha256'],
					$row['body_size'],
					$row['duration_ms']
				)
			);
			return (int) $wpdb->insert_id;
		} catch ( Db_Exception $e ) {
			return 0;
		}
	}

	/**
	 * Rows of the log, newest first by default.
	 *
	 * @param array $args {
	 *     Optional filters.
	 *
	 *     @type int|int[] $status      HTTP status(es).
	 *     @type string    $outcome     `applied`, `duplicate`, `rejected`, `failed`.
	 *     @type string    $source      `webhook` or `crm`.
	 *     @type string    $command     Command name.
	 *     @type string    $error_code  Error code.
	 *     @type int       $user_id     User id.
	 *     @type string    $search      Substring of the contact or the delivery id.
	 *     @type int       $since       Received at or after (Unix time).
	 *     @type int       $until       Received before (Unix time).
	 *     @type string    $orderby     One of ORDERBY (default `id`).
	 *     @type string    $order       `ASC` or `DESC` (default `DESC`).
	 *     @type int       $per_page    Rows per page, 1–1000 (default 20).
	 *     @type int       $page        1-based page (default 1).
	 * }
	 * @return array[] Rows shaped as in the class comment.
	 */
	public static function query( array $args = array() ) {
		global $wpdb;
		$orderby  = isset( $args['orderby'] ) && in_array( $args['orderby'], self::ORDERBY, true ) ? $args['orderby'] : 'id';
		$order    = isset( $args['order'] ) && 'ASC' === strtoupper( (string) $args['order'] ) ? 'ASC' : 'DESC';
		$per_page = isset( $args['per_page'] ) ? max( 1, min( 1000, (int) $args['per_page'] ) ) : 20;
		$page     = isset( $args['page'] ) ? max( 1, (int) $args['page'] ) : 1;
		$sql      = self::select() . self::where( $args )
			. " ORDER BY $orderby $order" . ( 'id' !== $orderby ? ", id $order" : '' )
			. $wpdb->prepare( ' LIMIT %d OFFSET %d', $per_page, ( $page - 1 ) * $per_page );
		return array_map( array( __CLASS__, 'shape' ), Db::rows( $sql ) );
	}

	/**
	 * Number of rows matching the filters of query().
	 *
	 * @param array $args Filters as query().
	 * @return int
	 */
	public static function count( array $args = array() ) {
		return (int) Db::value( 'SELECT COUNT(*) FROM ' . self::table() . self::where( $args ) );
	}

	/**
	 * One row by id.
	 *
	 * @param int $id Row id.
	 * @return array|null
	 */
	public static function get( $id ) {
		global $wpdb;
		$rows = Db::rows( $wpdb->prepare( self::select() . ' WHERE id = %d', (int) $id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		return $rows ? self::shape( $rows[0] ) : null;
	}

	/**
	 * Deletes rows older than the retention (never less than 7 days, so a
	 * delivery id is remembered at least that long).
	 *
	 * @param int|null $days Days to keep (default: the setting).
	 * @return int Rows deleted.
	 */
	public static function prune( $days = null ) {
		global $wpdb;
		$days    = max( Settings::MIN_RETENTION_DAYS, null === $days ? (int) Settings::get( 'log_retention_days' ) : (int) $days );
		$cutoff  = time() - $days * DAY_IN_SECONDS;
		$deleted = 0;
		do {
			$n        = (int) Db::query( $wpdb->prepare( 'DELETE FROM ' . self::table() . ' WHERE received_at < %d LIMIT 5000', $cutoff ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$deleted += $n;
		} while ( 5000 === $n );
		return $deleted;
	}

	/**
	 * SELECT clause.
	 *
	 * @return string
	 */
	private static function select() {
		return 'SELECT id, delivery_key IS NOT NULL AS remembered, delivery_id, received_at, source, scheme, command, contact, user_id, outcome, status, error_code, error_message, body_sha256, body_size, duration_ms FROM ' . self::table();
	}

	/**
	 * WHERE clause of the filters.
	 *
	 * @param array $args Filters.
	 * @return string
	 */
	private static function where( array $args ) {
		global $wpdb;
		$where = array();
		if ( isset( $args['status'] ) && '' !== $args['status'] ) {
			$statuses = array_map( 'intval', (array) $args['status'] );
			$where[]  = 'status IN (' . implode( ',', $statuses ) . ')';
		}
		foreach ( array( 'outcome', 'source', 'command', 'error_code' ) as $column ) {
			if ( isset( $args[ $column ] ) && '' !== $args[ $column ] ) {
				$where[] = $wpdb->prepare( "$column = %s", (string) $args[ $column ] ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			}
		}
		if ( ! empty( $args['user_id'] ) ) {
			$where[] = $wpdb->prepare( 'user_id = %d', (int) $args['user_id'] );
		}
		if ( isset( $args['search'] ) && '' !== trim( (string) $args['search'] ) ) {
			$like    = '%' . $wpdb->esc_like( trim( (string) $args['search'] ) ) . '%';
			$where[] = $wpdb->prepare( '(contact LIKE %s OR delivery_id LIKE %s)', $like, $like );
		}
		if ( ! empty( $args['since'] ) ) {
			$where[] = $wpdb->prepare( 'received_at >= %d', (int) $args['since'] );
		}
		if ( ! empty( $args['until'] ) ) {
			$where[] = $wpdb->prepare( 'received_at < %d', (int) $args['until'] );
		}
		return $where ? ' WHERE ' . implode( ' AND ', $where ) : '';
	}

	/**
	 * Column defaults and truncation for writing.
	 *
	 * @param array $row Columns.
	 * @return array
	 */
	private static function row( array $row ) {
		$row += array(
			'delivery_id'   => '',
			'received_at'   => time(),
			'source'        => 'webhook',
			'scheme'        => '',
			'command'       => '',
			'contact'       => '',
			'user_id'       => 0,
			'outcome'       => '',
			'status'        => 0,
			'error_code'    => '',
			'error_message' => '',
			'body_sha256'   => '',
			'body_size'     => 0,
			'duration_ms'   => 0,
		);
		foreach ( array( 'delivery_id' => 255, 'source' => 20, 'scheme' => 32, 'command' => 32, 'contact' => 254, 'outcome' => 20, 'error_code' => 64, 'error_message' => 255, 'body_sha256' => 64 ) as $column => $max ) {
			$row[ $column ] = self::cut( (string) $row[ $column ], $max );
		}
		foreach ( array( 'received_at', 'user_id', 'status', 'body_size', 'duration_ms' ) as $column ) {
			$row[ $column ] = (int) $row[ $column ];
		}
		return $row;
	}

	/**
	 * Typed row for readers.
	 *
	 * @param array $row Raw row.
	 * @return array
	 */
	private static function shape( array $row ) {
		foreach ( array( 'id', 'received_at', 'user_id', 'status', 'body_size', 'duration_ms' ) as $column ) {
			$row[ $column ] = (int) $row[ $column ];
		}
		$row['remembered'] = (bool) (int) $row['remembered'];
		return $row;
	}

	/**
	 * Cuts a string to at most $max characters of valid UTF-8.
	 *
	 * @param string $text Text.
	 * @param int    $max  Characters.
	 * @return string
	 */
	private static function cut( $text, $max ) {
		if ( ! preg_match( '//u', $text ) ) {
			$text = wp_check_invalid_utf8( $text, true );
		}
		return mb_strlen( $text, 'UTF-8' ) > $max ? mb_substr( $text, 0, $max, 'UTF-8' ) : $text;
	}
}
