<?php
/**
 * A webhook command that cannot be applied, with its HTTP status and the
 * `error.code` of SPEC §6.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Carries an answer of the webhook table: 400 invalid_command, 403
 * protected_user, 404 unknown_contact, 503 unavailable, …
 */
class Command_Error extends \RuntimeException {

	/**
	 * The `error.code`.
	 *
	 * @var string
	 */
	private $error_code;

	/**
	 * HTTP status.
	 *
	 * @var int
	 */
	private $status;

	/**
	 * Constructor.
	 *
	 * @param string          $error_code `error.code` (e.g. `unknown_contact`).
	 * @param int             $status     HTTP status.
	 * @param string          $message    Human-readable text (no secret, no personal data beyond the request's own).
	 * @param \Throwable|null $previous   Cause.
	 */
	public function __construct( $error_code, $status, $message, $previous = null ) {
		parent::__construct( $message, 0, $previous );
		$this->error_code = (string) $error_code;
		$this->status     = (int) $status;
	}

	/**
	 * The `error.code`.
	 *
	 * @return string
	 */
	public function error_code() {
		return $this->error_code;
	}

	/**
	 * The HTTP status.
	 *
	 * @return int
	 */
	public function status() {
		return $this->status;
	}

	/**
	 * The JSON `error` object.
	 *
	 * @return array{code:string,message:string}
	 */
	public function to_array() {
		return array(
			'code'    => $this->error_code,
			'message' => $this->getMessage(),
		);
	}

	/**
	 * 400 invalid_command.
	 *
	 * @param string $message Text.
	 * @return self
	 */
	public static function invalid( $message ) {
		return new self( 'invalid_command', 400, $message );
	}

	/**
	 * 503 unavailable.
	 *
	 * @param string          $message  Text.
	 * @param \Throwable|null $previous Cause.
	 * @return self
	 */
	public static function unavailable( $message, $previous = null ) {
		return new self( 'unavailable', 503, $message, $previous );
	}
}
