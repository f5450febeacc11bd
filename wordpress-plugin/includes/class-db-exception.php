<?php
/**
 * A database statement failed inside a TagGate transaction.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown by Db when a statement fails. `is_retryable()` is true for a deadlock
 * or a lock wait timeout: the whole transaction is then run again.
 */
class Db_Exception extends \RuntimeException {

	/** MariaDB/MySQL error numbers after which a transaction is retried. */
	const RETRYABLE = array( 1213, 1205 );

	/**
	 * True for a deadlock or lock wait timeout.
	 *
	 * @return bool
	 */
	public function is_retryable() {
		return in_array( (int) $this->getCode(), self::RETRYABLE, true );
	}
}
