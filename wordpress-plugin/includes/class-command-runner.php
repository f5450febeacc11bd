<?php
/**
 * Runs the webhook commands of SPEC §5 on real users.
 *
 * Every command runs in a transaction (a savepoint inside the delivery's
 * transaction): it applies completely or not at all. Errors are
 * Command_Error with the status and `error.code` of SPEC §6.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The command runner.
 */
final class Command_Runner {

	/** Commands of SPEC §5. */
	const COMMANDS = array( 'ping', 'contact.upsert', 'tags.add', 'tags.remove', 'tags.set', 'access.revoke', 'login.link', 'password.reset', 'batch' );

	/**
	 * Validates a JSON command with the extension and returns it normalised.
	 *
	 * `_has_tags` is added to each command (and batch item): whether the body
	 * named `tags` at all, which `contact.upsert` needs to tell "leave the
	 * tags alone" from "no tags". In a batch, an invalid item does not sink
	 * the others: it is replaced by the Command_Error it raises.
	 *
	 * @param string $json Raw body.
	 * @return array
	 * @throws Command_Error 400 invalid_command.
	 */
	public static function parse( $json ) {
		$raw = json_decode( $json, true, 512 );
		try {
			$command = \TagGate\Command::parse( $json );
		} catch ( \TagGate\CommandException $e ) {
			if ( self::is_batch_envelope( $raw ) && preg_match( '#^/items/\d+#', $e->getMessage() ) ) {
				return self::parse_batch_items( $raw );
			}
			throw Command_Error::invalid( $e->getMessage() );
		}
		$command['_has_tags'] = is_array( $raw ) && array_key_exists( 'tags', $raw );
		if ( 'batch' === $command['command'] && isset( $command['items'] ) && is_array( $command['items'] ) ) {
			foreach ( $command['items'] as $i => $item ) {
				$command['items'][ $i ]['_has_tags'] = isset( $raw['items'][ $i ] ) && is_array( $raw['items'][ $i ] ) && array_key_exists( 'tags', $raw['items'][ $i ] );
			}
		}
		return $command;
	}

	/**
	 * Runs a parsed command (a batch included).
	 *
	 * @param array  $command Output of parse().
	 * @param string $source  `webhook` or `crm:<adapter>`.
	 * @return array The `result` object.
	 * @throws Command_Error On a 4xx/5xx outcome (nothing applied).
	 * @throws Db_Exception On a deadlock (the caller's transaction retries).
	 */
	public static function run( array $command, $source ) {
		if ( 'batch' === $command['command'] ) {
			return self::run_batch( (array) $command['items'], $source );
		}
		// Atomic: its own transaction, or part of the caller's savepoint.
		return Db::atomic(
			static function () use ( $command, $source ) {
				return self::run_one( $command, $source );
			}
		);
	}

	/**
	 * The e-mail of a command's contact (first item's for a batch), for the log.
	 *
	 * @param array $command Parsed command.
	 * @return string
	 */
	public static function contact_email( array $command ) {
		if ( isset( $command['contact']['email'] ) ) {
			return (string) $command['contact']['email'];
		}
		if ( 'batch' === ( $command['command'] ?? '' ) ) {
			foreach ( (array) ( $command['items'] ?? array() ) as $item ) {
				if ( is_array( $item ) && isset( $item['contact']['email'] ) ) {
					return (string) $item['contact']['email'];
				}
			}
		}
		return '';
	}

	/**
	 * Runs a batch: each item in its own savepoint, a result per item.
	 *
	 * @param array  $items  Parsed items (or Command_Error for invalid ones).
	 * @param string $source Source.
	 * @return array
	 * @throws Db_Exception On a deadlock (the whole delivery is retried).
	 */
	private static function run_batch( array $items, $source ) {
		$results = array();
		$ok      = 0;
		foreach ( array_values( $items ) as $i => $item ) {
			try {
				if ( $item instanceof Command_Error ) {
					throw $item;
				}
				$result    = Db::transaction(
					static function () use ( $item, $source ) {
						return self::run_one( $item, $source );
					}
				);
				$results[] = array(
					'ok'     => true,
					'status' => 200,
					'result' => self::object( $result ),
				);
				++$ok;
			} catch ( Command_Error $e ) {
				$results[] = array(
					'ok'     => false,
					'status' => $e->status(),
					'error'  => $e->to_array(),
				);
			} catch ( Db_Exception $e ) {
				if ( $e->is_retryable() ) {
					throw $e;
				}
				$results[] = self::item_failure( $i, $e );
			} catch ( \Throwable $e ) {
				$results[] = self::item_failure( $i, $e );
			}
		}
		return array(
			'items'     => $results,
			'succeeded' => $ok,
			'failed'    => count( $results ) - $ok,
		);
	}

	/**
	 * A batch item that failed unexpectedly (rolled back to its savepoint).
	 *
	 * @param int        $index Item index.
	 * @param \Throwable $error Error.
	 * @return array
	 */
	private static function item_failure( $index, \Throwable $error ) {
		self::report( $error, 'batch item ' . $index );
		return array(
			'ok'     => false,
			'status' => 503,
			'error'  => array(
				'code'    => 'unavailable',
				'message' => __( 'This item could not be applied; nothing of it was changed.', 'taggate' ),
			),
		);
	}

	/**
	 * Runs one command (not a batch), inside a transaction.
	 *
	 * @param array  $command Parsed command.
	 * @param string $source  Source.
	 * @return array
	 * @throws Command_Error On 4xx/5xx outcomes.
	 */
	private static function run_one( array $command, $source ) {
		$name = (string) $command['command'];
		switch ( $name ) {
			case 'ping':
				$result = array( 'pong' => true );
				break;
			case 'tags.add':
			case 'tags.remove':
			case 'tags.set':
				$result = self::tags_command( $command, $source );
				break;
			case 'contact.upsert':
				$result = self::contact_upsert( $command, $source );
				break;
			case 'access.revoke':
				$user    = self::existing_user( $command );
				$removed = Tag_Store::clear( $user->ID, $source );
				$result  = array(
					'user_id' => (int) $user->ID,
					'removed' => $removed,
					'tags'    => self::object( array() ),
				);
				break;
			case 'login.link':
				$user = self::existing_user( $command );
				if ( Users::is_protected( $user ) ) {
					throw Users::protected_error();
				}
				$link   = Login_Links::create( $user->ID );
				$result = array(
					'user_id'    => (int) $user->ID,
					'url'        => $link['url'],
					'expires_at' => $link['expires_at'],
				);
				break;
			case 'password.reset':
				$user = self::existing_user( $command );
				if ( Users::is_protected( $user ) ) {
					throw Users::protected_error();
				}
				$sent = retrieve_password( $user->user_login );
				if ( is_wp_error( $sent ) ) {
					throw Command_Error::unavailable( __( 'WordPress could not send the password-reset e-mail.', 'taggate' ) );
				}
				$result = array(
					'user_id' => (int) $user->ID,
					'sent'    => true,
				);
				break;
			default:
				throw Command_Error::invalid( __( '/command: unknown command', 'taggate' ) );
		}
		/**
		 * Filters the `result` of one applied command, inside its transaction
		 * (throwing rolls the command back).
		 *
		 * @param array  $result  Result object.
		 * @param array  $command The parsed command.
		 * @param string $source  `webhook` or `crm:<adapter>`.
		 */
		return (array) apply_filters( 'taggate_webhook_command_result', $result, $command, $source );
	}

	/**
	 * tags.add / tags.remove / tags.set.
	 *
	 * @param array  $command Parsed command.
	 * @param string $source  Source.
	 * @return array
	 */
	private static function tags_command( array $command, $source ) {
		$contact = (array) $command['contact'];
		$user    = Users::find( $contact );
		$created = false;
		if ( ! $user && ! empty( $command['create'] ) ) {
			$user = self::find_locked( $contact );
		}
		if ( ! $user ) {
			if ( empty( $command['create'] ) ) {
				throw self::unknown_contact();
			}
			$user    = Users::create( $contact, $source );
			$created = true;
		} else {
			self::link_crm_id( $user, $contact );
		}
		$tags   = isset( $command['tags'] ) ? (array) $command['tags'] : array();
		$result = array(
			'user_id' => (int) $user->ID,
			'created' => $created,
		);
		switch ( $command['command'] ) {
			case 'tags.add':
				$result['added'] = Tag_Store::add( $user->ID, $tags, $source );
				break;
			case 'tags.remove':
				$result['removed'] = Tag_Store::remove( $user->ID, $tags, $source );
				break;
			default:
				$result        += Tag_Store::set( $user->ID, $tags, $source );
				$result['tags'] = self::object( Tag_Store::get( $user->ID ) );
		}
		return $result;
	}

	/**
	 * contact.upsert.
	 *
	 * @param array  $command Parsed command.
	 * @param string $source  Source.
	 * @return array
	 */
	private static function contact_upsert( array $command, $source ) {
		$contact = (array) $command['contact'];
		$user    = Users::find( $contact );
		if ( ! $user ) {
			$user = self::find_locked( $contact );
		}
		$created = false;
		$updated = array();
		if ( ! $user ) {
			$user    = Users::create( $contact, $source );
			$created = true;
		} else {
			$updated = Users::update_profile( $user, $contact );
		}
		$result = array(
			'user_id' => (int) $user->ID,
			'created' => $created,
			'updated' => $updated,
		);
		if ( ! empty( $command['_has_tags'] ) ) {
			$result += Tag_Store::set( $user->ID, isset( $command['tags'] ) ? (array) $command['tags'] : array(), $source );
		}
		$result['tags'] = self::object( Tag_Store::get( $user->ID ) );
		return $result;
	}

	/**
	 * The user of a command that never creates one.
	 *
	 * @param array $command Parsed command.
	 * @return \WP_User
	 * @throws Command_Error 404 unknown_contact.
	 */
	private static function existing_user( array $command ) {
		$contact = (array) $command['contact'];
		$user    = Users::find( $contact );
		if ( ! $user ) {
			throw self::unknown_contact();
		}
		self::link_crm_id( $user, $contact );
		return $user;
	}

	/**
	 * Looks a contact up again under its contact lock, before creating it.
	 * Lookups of existing users take no lock (the user's own row lock
	 * guards their tags); only a creation must be serialised, so that two
	 * deliveries never create the same contact twice: the second one waits
	 * here, then finds the first one's user (READ COMMITTED reads it).
	 *
	 * @param array $contact Contact.
	 * @return \WP_User|null
	 */
	private static function find_locked( array $contact ) {
		Users::lock_contact( $contact );
		return Users::find( $contact );
	}

	/**
	 * Records a CRM id on a user found by e-mail (never on a protected user).
	 *
	 * @param \WP_User $user    User.
	 * @param array    $contact Contact.
	 */
	private static function link_crm_id( \WP_User $user, array $contact ) {
		if ( ! isset( $contact['crm_id'] ) || '' === (string) $contact['crm_id'] ) {
			return;
		}
		if ( (string) $contact['crm_id'] === (string) get_user_meta( $user->ID, Users::CRM_META, true ) ) {
			return;
		}
		if ( ! Users::is_protected( $user ) ) {
			Users::set_crm_id( $user->ID, (string) $contact['crm_id'] );
		}
	}

	/**
	 * 404 unknown_contact.
	 *
	 * @return Command_Error
	 */
	private static function unknown_contact() {
		return new Command_Error( 'unknown_contact', 404, __( 'No user matches this contact, and the command did not ask to create one.', 'taggate' ) );
	}

	/**
	 * True for `{"command": "batch", "items": [1..500 entries]}`.
	 *
	 * @param mixed $raw Decoded body.
	 * @return bool
	 */
	private static function is_batch_envelope( $raw ) {
		return is_array( $raw ) && isset( $raw['command'] ) && 'batch' === $raw['command']
			&& isset( $raw['items'] ) && is_array( $raw['items'] ) && array_is_list( $raw['items'] )
			&& count( $raw['items'] ) >= 1 && count( $raw['items'] ) <= 500;
	}

	/**
	 * Validates each batch item on its own.
	 *
	 * @param array $raw Decoded batch.
	 * @return array
	 */
	private static function parse_batch_items( array $raw ) {
		$items = array();
		foreach ( $raw['items'] as $i => $item ) {
			$prefix = '/items/' . $i;
			if ( ! is_array( $item ) || ( $item && array_is_list( $item ) ) ) {
				$items[] = Command_Error::invalid( $prefix . ': expected an object' );
				continue;
			}
			if ( isset( $item['command'] ) && 'batch' === $item['command'] ) {
				$items[] = Command_Error::invalid( $prefix . '/command: a batch cannot hold a batch' );
				continue;
			}
			try {
				$parsed              = \TagGate\Command::parse( (string) wp_json_encode( (object) $item ) );
				$parsed['_has_tags'] = array_key_exists( 'tags', $item );
				$items[]             = $parsed;
			} catch ( \TagGate\CommandException $e ) {
				$message = $e->getMessage();
				$items[] = Command_Error::invalid( $prefix . ( '/' === substr( $message, 0, 1 ) ? ( 0 === strpos( $message, '/:' ) ? substr( $message, 1 ) : $message ) : ': ' . $message ) );
			}
		}
		return array(
			'command'   => 'batch',
			'items'     => $items,
			'_has_tags' => false,
		);
	}

	/**
	 * An array as a JSON object (an empty array would print `[]`).
	 *
	 * @param array $data Data.
	 * @return object|array
	 */
	public static function object( array $data ) {
		return $data ? $data : new \stdClass();
	}

	/**
	 * Reports an unexpected failure to the PHP error log (no secret, no body).
	 *
	 * @param \Throwable $error   Error.
	 * @param string     $context Where.
	 */
	public static function report( \Throwable $error, $context ) {
		/**
		 * Fires when a command failed unexpectedly (and was rolled back).
		 *
		 * @param \Throwable $error   Error.
		 * @param string     $context Where.
		 */
		do_action( 'taggate_command_failed', $error, $context );
	}
}
