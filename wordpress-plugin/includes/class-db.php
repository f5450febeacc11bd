<?php
/**
 * Transactions over $wpdb: nesting by savepoints, retry after a deadlock,
 * callbacks after commit and after rollback.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The plugin's only way to change its state: every change runs inside
 * `Db::transaction()`, so it applies completely or not at all.
 *
 * - The outermost call starts a READ COMMITTED transaction (so a row lock,
 *   once granted, is followed by reads of the newest committed data) and
 *   commits it; a deadlock or lock wait timeout rolls everything back and
 *   runs the callable again (up to $attempts times). Any other throwable
 *   rolls back and is rethrown.
 * - A nested call is a SAVEPOINT: its failure rolls back only its own work
 *   (a batch item) and is rethrown to the caller.
 */
final class Db {

	/**
	 * Nesting depth (0: no transaction of ours is open).
	 *
	 * @var int
	 */
	private static $depth = 0;

	/**
	 * Callbacks to run after the outermost commit.
	 *
	 * @var callable[]
	 */
	private static $after_commit = array();

	/**
	 * Callbacks to run after a rollback (cache invalidation), by depth.
	 *
	 * @var array<int,callable[]>
	 */
	private static $on_rollback = array();

	/**
	 * Runs $fn inside a transaction (or a savepoint when one is open).
	 *
	 * @param callable $fn       Work; its return value is returned.
	 * @param int      $attempts Attempts of the outermost transaction after deadlocks.
	 * @return mixed
	 * @throws \Throwable Whatever $fn throws, after rolling back.
	 */
	public static function transaction( callable $fn, $attempts = 6 ) {
		if ( self::$depth > 0 ) {
			return self::savepoint( $fn );
		}
		$attempt = 0;
		while ( true ) {
			++$attempt;
			self::$after_commit = array();
			self::$on_rollback  = array();
			self::query( 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED' );
			self::query( 'START TRANSACTION' );
			self::$depth = 1;
			try {
				$result = $fn();
				self::query( 'COMMIT' );
				self::$depth = 0;
				$after       = self::$after_commit;
				self::$after_commit = array();
				self::$on_rollback  = array();
				foreach ( $after as $callback ) {
					$callback();
				}
				return $result;
			} catch ( \Throwable $e ) {
				self::$depth = 0;
				self::rollback_all();
				if ( $e instanceof Db_Exception && $e->is_retryable() && $attempt < $attempts ) {
					// Back off a little, with jitter, before trying again.
					usleep( wp_rand( 2000, 20000 ) * $attempt );
					continue;
				}
				throw $e;
			}
		}
	}

	/**
	 * Runs $fn atomically: in a new transaction when none is open, else
	 * inline, as part of the caller's transaction or savepoint (whose
	 * rollback then undoes it). Saves a savepoint where the caller already
	 * has one.
	 *
	 * @param callable $fn Work.
	 * @return mixed
	 */
	public static function atomic( callable $fn ) {
		return self::$depth > 0 ? $fn() : self::transaction( $fn );
	}

	/**
	 * True inside a transaction of ours.
	 *
	 * @return bool
	 */
	public static function in_transaction() {
		return self::$depth > 0;
	}

	/**
	 * Runs $callback after the outermost transaction commits (at once when
	 * none is open). Dropped when the transaction rolls back.
	 *
	 * @param callable $callback Callback.
	 */
	public static function after_commit( callable $callback ) {
		if ( 0 === self::$depth ) {
			$callback();
			return;
		}
		self::$after_commit[] = $callback;
	}

	/**
	 * Runs $callback if the current transaction or savepoint rolls back (to
	 * forget cached state). Nothing happens when no transaction is open.
	 *
	 * @param callable $callback Callback.
	 */
	public static function on_rollback( callable $callback ) {
		if ( 0 === self::$depth ) {
			return;
		}
		self::$on_rollback[ self::$depth ][] = $callback;
	}

	/**
	 * Runs one statement, throwing Db_Exception on failure. wpdb's own error
	 * printing is suppressed: the caller decides what a failure means.
	 *
	 * @param string $sql A prepared statement.
	 * @return int|bool Rows affected / selected, as wpdb::query.
	 * @throws Db_Exception When the statement fails.
	 */
	public static function query( $sql ) {
		global $wpdb;
		$suppress = $wpdb->suppress_errors( true );
		$result   = $wpdb->query( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- callers prepare.
		$wpdb->suppress_errors( $suppress );
		if ( false === $result ) {
			throw self::error();
		}
		return $result;
	}

	/**
	 * Rows of a SELECT, throwing on failure.
	 *
	 * @param string $sql A prepared SELECT.
	 * @return array[] Associative rows.
	 * @throws Db_Exception When the statement fails.
	 */
	public static function rows( $sql ) {
		global $wpdb;
		$suppress = $wpdb->suppress_errors( true );
		$rows     = $wpdb->get_results( $sql, ARRAY_A ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- callers prepare.
		$wpdb->suppress_errors( $suppress );
		if ( '' !== $wpdb->last_error ) {
			throw self::error();
		}
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * First column of the first row of a SELECT, or null.
	 *
	 * @param string $sql A prepared SELECT.
	 * @return string|null
	 * @throws Db_Exception When the statement fails.
	 */
	public static function value( $sql ) {
		global $wpdb;
		$suppress = $wpdb->suppress_errors( true );
		$value    = $wpdb->get_var( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- callers prepare.
		$wpdb->suppress_errors( $suppress );
		if ( '' !== $wpdb->last_error ) {
			throw self::error();
		}
		return $value;
	}

	/**
	 * A savepoint inside the open transaction.
	 *
	 * @param callable $fn Work.
	 * @return mixed
	 * @throws \Throwable Whatever $fn throws, after rolling back to the savepoint.
	 */
	private static function savepoint( callable $fn ) {
		$name = 'taggate_sp' . self::$depth;
		self::query( "SAVEPOINT $name" );
		++self::$depth;
		try {
			$result = $fn();
			--self::$depth;
			// Keep the inner rollback callbacks: an outer rollback undoes this work too.
			self::merge_rollback_callbacks( self::$depth + 1, self::$depth );
			self::query( "RELEASE SAVEPOINT $name" );
			return $result;
		} catch ( \Throwable $e ) {
			$level = self::$depth;
			--self::$depth;
			if ( $e instanceof Db_Exception && $e->is_retryable() ) {
				// The server rolled back the whole transaction: let the outermost call retry.
				self::merge_rollback_callbacks( $level, self::$depth );
				throw $e;
			}
			try {
				self::query( "ROLLBACK TO SAVEPOINT $name" );
			} finally {
				self::run_rollback_callbacks( $level );
			}
			throw $e;
		}
	}

	/**
	 * Rolls back the outermost transaction and runs every rollback callback.
	 */
	private static function rollback_all() {
		try {
			self::query( 'ROLLBACK' );
		} catch ( Db_Exception $ignored ) {
			// The connection is gone: the server rolled back anyway.
			unset( $ignored );
		}
		$levels = array_keys( self::$on_rollback );
		rsort( $levels );
		foreach ( $levels as $level ) {
			self::run_rollback_callbacks( $level );
		}
		self::$on_rollback  = array();
		self::$after_commit = array();
	}

	/**
	 * Runs and forgets the rollback callbacks of one level.
	 *
	 * @param int $level Depth.
	 */
	private static function run_rollback_callbacks( $level ) {
		$callbacks = isset( self::$on_rollback[ $level ] ) ? self::$on_rollback[ $level ] : array();
		unset( self::$on_rollback[ $level ] );
		foreach ( array_reverse( $callbacks ) as $callback ) {
			$callback();
		}
	}

	/**
	 * Moves rollback callbacks from one level to another.
	 *
	 * @param int $from Depth.
	 * @param int $to   Depth.
	 */
	private static function merge_rollback_callbacks( $from, $to ) {
		if ( empty( self::$on_rollback[ $from ] ) ) {
			return;
		}
		if ( $to > 0 ) {
			self::$on_rollback[ $to ] = array_merge( self::$on_rollback[ $to ] ?? array(), self::$on_rollback[ $from ] );
		}
		unset( self::$on_rollback[ $from ] );
	}

	/**
	 * The exception for wpdb's last error.
	 *
	 * @return Db_Exception
	 */
	private static function error() {
		global $wpdb;
		$errno = 0;
		$dbh   = $wpdb->dbh;
		if ( $dbh instanceof \mysqli ) {
			$errno = (int) mysqli_errno( $dbh ); // phpcs:ignore WordPress.DB.RestrictedFunctions
		}
		$message = (string) $wpdb->last_error;
		if ( 0 === $errno ) {
			if ( false !== stripos( $message, 'Deadlock found' ) ) {
				$errno = 1213;
			} elseif ( false !== stripos( $message, 'Lock wait timeout' ) ) {
				$errno = 1205;
			}
		}
		return new Db_Exception( '' !== $message ? $message : 'database error', $errno );
	}
}
