<?php
/**
 * Checking a rule for the editor, the settings screens and the rule tester.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Rule checks.
 */
final class Gate_Rules {

	/**
	 * Compiles a rule and describes the outcome:
	 * `['valid' => true, 'canonical' => string, 'tags' => string[]]` or
	 * `['valid' => false, 'error' => ['code', 'message', 'line', 'column']]`.
	 * Line and column are 1-based (0 when the message carries none).
	 *
	 * @param string $rule Rule source.
	 * @return array
	 */
	public static function check( $rule ) {
		$rule = (string) $rule;
		if ( ! Plugin::extension_loaded() ) {
			return self::failure(
				'unavailable',
				__( 'The taggate PHP extension is not loaded, so rules cannot be checked (and every protected post stays hidden).', 'taggate' )
			);
		}
		if ( '' === trim( $rule ) ) {
			return self::failure( 'empty', __( 'The rule is empty.', 'taggate' ) );
		}
		try {
			$compiled = \TagGate\Rule::compile( $rule );
			return array(
				'valid'     => true,
				'canonical' => (string) $compiled,
				'tags'      => array_values( array_map( 'strval', $compiled->tags() ) ),
			);
		} catch ( \TagGate\RuleSyntaxException $e ) {
			return self::failure( 'syntax', $e->getMessage() );
		} catch ( \Throwable $e ) {
			return self::failure( 'syntax', __( 'The rule could not be read.', 'taggate' ) );
		}
	}

	/**
	 * A failed check.
	 *
	 * @param string $code    Code.
	 * @param string $message Message.
	 * @return array
	 */
	private static function failure( $code, $message ) {
		$line   = 0;
		$column = 0;
		if ( preg_match( '/at line (\d+), column (\d+)\s*$/', $message, $m ) ) {
			$line   = (int) $m[1];
			$column = (int) $m[2];
		}
		return array(
			'valid' => false,
			'error' => array(
				'code'    => $code,
				'message' => $message,
				'line'    => $line,
				'column'  => $column,
			),
		);
	}

	/**
	 * The error of a rule as a WP_Error (for REST validation), or true.
	 *
	 * @param string $rule  Rule source.
	 * @param string $label What the rule belongs to, for the message.
	 * @return true|\WP_Error
	 */
	public static function validate( $rule, $label = '' ) {
		$check = self::check( $rule );
		if ( $check['valid'] ) {
			return true;
		}
		$message = '' === $label
			/* translators: %s: the error, e.g. "expected ')' but found end of rule at line 1, column 8". */
			? sprintf( __( 'Invalid rule: %s', 'taggate' ), $check['error']['message'] )
			/* translators: 1: what holds the rule, 2: the error. */
			: sprintf( __( 'Invalid rule in %1$s: %2$s', 'taggate' ), $label, $check['error']['message'] );
		return new \WP_Error(
			'taggate_invalid_rule',
			$message,
			array(
				'status' => 'unavailable' === $check['error']['code'] ? 503 : 400,
				'line'   => $check['error']['line'],
				'column' => $check['error']['column'],
			)
		);
	}

	/**
	 * Reads the tags a person typed: one per line, or separated by commas.
	 * A tag may carry its applied time after "=" (Unix seconds, or a date),
	 * e.g. `course-a=2025-01-01`, so that `for` durations can be tried.
	 *
	 * @param string $text Text.
	 * @return array<string, int|null> tag => applied_at
	 */
	public static function parse_tag_list( $text ) {
		$tags = array();
		foreach ( preg_split( '/[\r\n,]+/', (string) $text ) as $item ) {
			$item = trim( $item );
			if ( '' === $item ) {
				continue;
			}
			$time = null;
			$eq   = strrpos( $item, '=' );
			if ( false !== $eq ) {
				$when = trim( substr( $item, $eq + 1 ) );
				$item = trim( substr( $item, 0, $eq ) );
				if ( preg_match( '/^-?\d+$/', $when ) ) {
					$time = (int) $when;
				} elseif ( '' !== $when ) {
					$parsed = strtotime( $when );
					$time   = false === $parsed ? null : $parsed;
				}
			}
			if ( '' !== $item ) {
				$tags[ $item ] = $time;
			}
		}
		return $tags;
	}
}
