<?php
/**
 * /wp-json/taggate/v1/crm/<command>?key=…: CRMs that cannot sign (SPEC §6).
 *
 * - `key` (the URL key of the settings, compared with hash_equals) is the
 *   credential: missing → 401 `missing_header`, wrong → 401
 *   `no_matching_signature` (the key plays the signature's part, so the
 *   codes are those of the signature table).
 * - GET (and HEAD) with the right key answers 200: CRMs such as Mailchimp test
 *   a URL that way before using it.
 * - POST: the body is read by the adapter chosen in the settings; the tags
 *   come from the query's `tags=` (comma-separated), else the event's tag
 *   (tags.add / tags.remove), else the contact's current tags (tags.set /
 *   contact.upsert); `create=1` in the query lets tags.* create a missing
 *   user. The command built is validated by TagGate\Command::parse and run
 *   as a webhook command would be. A payload with several contacts (Kit's
 *   batched events) runs the command for each, answered like a batch.
 * - With the `kit` adapter and a Kit signing secret in the settings, the
 *   `X-Kit-Signature` header is verified too (scheme `kit`); Kit's
 *   `delivery_id` then de-duplicates deliveries.
 *
 * The route is public (`permission_callback` => `__return_true`) on purpose:
 * CRMs post without WordPress credentials; the URL key, checked before
 * anything else, is the authentication.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The CRM endpoint.
 */
final class Crm_Controller {

	/** Commands allowed on this URL (every command but batch). */
	const COMMANDS = array( 'ping', 'contact.upsert', 'tags.add', 'tags.remove', 'tags.set', 'access.revoke', 'login.link', 'password.reset' );

	/**
	 * Hooks.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
	}

	/**
	 * The route.
	 */
	public static function register_routes() {
		register_rest_route(
			Webhook_Controller::NAMESPACE,
			'/crm/(?P<command>[a-zA-Z0-9._-]+)',
			array(
				'methods'             => array( 'GET', 'POST' ),
				'callback'            => array( __CLASS__, 'handle' ),
				// Public by design: the URL key, checked in handle(), is the authentication.
				'permission_callback' => '__return_true',
				'args'                => array(
					'command' => array(
						'description' => __( 'The command to run for the contact in the payload.', 'taggate' ),
						'type'        => 'string',
						'enum'        => self::COMMANDS,
					),
					'key'     => array(
						'description' => __( 'The CRM URL key from the TagGate settings.', 'taggate' ),
						'type'        => 'string',
					),
					'tags'    => array(
						'description' => __( 'Comma-separated tags to add, remove or set (take precedence over the payload).', 'taggate' ),
						'type'        => array( 'string', 'array' ),
					),
					'create'  => array(
						'description' => __( 'Let tags.* commands create a missing user.', 'taggate' ),
						'type'        => array( 'boolean', 'string', 'integer' ),
					),
				),
			)
		);
	}

	/**
	 * 503 / 401 from the query alone (also run before the body is read).
	 *
	 * @param array $query Unslashed query parameters.
	 * @return Command_Error|null
	 */
	public static function preflight( array $query ) {
		if ( ! Plugin::extension_loaded() ) {
			return Command_Error::unavailable( __( 'The taggate PHP extension is not loaded.', 'taggate' ) );
		}
		$expected = (string) Settings::get( 'crm_key' );
		if ( '' === $expected ) {
			return Command_Error::unavailable( __( 'No CRM URL key is configured.', 'taggate' ) );
		}
		$given = isset( $query['key'] ) && is_string( $query['key'] ) ? $query['key'] : '';
		if ( '' === $given ) {
			return new Command_Error( 'missing_header', 401, __( 'The URL has no key.', 'taggate' ) );
		}
		if ( ! hash_equals( $expected, $given ) ) {
			return new Command_Error( 'no_matching_signature', 401, __( 'The URL key is wrong.', 'taggate' ) );
		}
		return null;
	}

	/**
	 * GET / POST /crm/<command>.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public static function handle( \WP_REST_Request $request ) {
		$start   = microtime( true );
		$adapter = (string) Settings::get( 'crm_adapter' );
		$log     = array(
			'source' => 'crm',
			'scheme' => $adapter,
		);
		$query   = $request->get_query_params();
		$command = (string) $request->get_url_params()['command'];
		$error   = self::preflight( $query );
		$is_post = 'POST' === $request->get_method();
		if ( ! $error && ! in_array( $command, self::COMMANDS, true ) ) {
			$error = Command_Error::invalid(
				/* translators: %s: command name. */
				sprintf( __( '/command: "%s" is not a command this URL accepts.', 'taggate' ), $command )
			);
		}
		if ( ! $is_post ) {
			if ( $error ) {
				return Webhook_Controller::error_response( $error );
			}
			return Webhook_Controller::ok_response(
				'',
				false,
				array(
					'ready'   => true,
					'command' => $command,
					'adapter' => $adapter,
				)
			);
		}
		$log['command'] = $command;
		$body           = '';
		if ( ! $error ) {
			$error = Webhook_Controller::check_declared_length();
		}
		if ( ! $error ) {
			$body  = (string) $request->get_body();
			$error = Webhook_Controller::check_length( strlen( $body ) );
		}
		if ( $error ) {
			return Webhook_Controller::log_error( $log, $error, strlen( $body ), $body, $start );
		}

		$id = '';
		if ( 'kit' === $adapter && '' !== (string) Settings::get( 'kit_secret' ) ) {
			try {
				$kit = new \TagGate\Webhook( 'kit', (string) Settings::get( 'kit_secret' ), (int) Settings::get( 'tolerance' ) );
				$kit->verify( Webhook_Controller::request_headers(), $body );
			} catch ( \TagGate\SignatureException $e ) {
				$code  = isset( Webhook_Controller::SIGNATURE_CODES[ $e->getCode() ] ) ? Webhook_Controller::SIGNATURE_CODES[ $e->getCode() ] : 'no_matching_signature';
				$error = new Command_Error( $code, 401, $e->getMessage() );
			} catch ( \Throwable $e ) {
				$error = Command_Error::unavailable( __( 'The Kit signing secret is not usable.', 'taggate' ) );
			}
			if ( $error ) {
				return Webhook_Controller::log_error( $log, $error, strlen( $body ), $body, $start );
			}
		}

		$payload = Crm_Adapters::payload( $request );
		if ( 'kit' === $adapter && isset( $payload['json']['delivery_id'] ) && is_scalar( $payload['json']['delivery_id'] ) && '' !== (string) $payload['json']['delivery_id'] ) {
			$id = 'kit:' . $payload['json']['delivery_id'];
		}
		$source = 'crm:' . $adapter;
		return Webhook_Controller::deliver(
			$id,
			$id,
			$log,
			$body,
			$start,
			static function ( array &$meta ) use ( $adapter, $payload, $command, $query, $source ) {
				$contacts = Crm_Adapters::read( $adapter, $payload );
				if ( ! $contacts ) {
					throw Command_Error::invalid( __( '/contact/email: the payload holds no contact e-mail this adapter can read.', 'taggate' ) );
				}
				$meta['contact'] = $contacts[0]['email'];
				$commands = array();
				foreach ( $contacts as $contact ) {
					$commands[] = self::build( $command, $contact, $query );
				}
				if ( count( $commands ) > 500 ) {
					throw Command_Error::invalid( __( '/: more than 500 contacts in one payload.', 'taggate' ) );
				}
				$json   = 1 === count( $commands ) ? $commands[0] : array(
					'command' => 'batch',
					'items'   => $commands,
				);
				$parsed = Command_Runner::parse( (string) wp_json_encode( $json, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) );
				return Command_Runner::run( $parsed, $source );
			}
		);
	}

	/**
	 * Builds the command JSON (as an array) for one contact.
	 *
	 * @param string $command Command.
	 * @param array  $contact Contact from an adapter.
	 * @param array  $query   Query parameters.
	 * @return array
	 * @throws Command_Error 400 when the tags the command needs are nowhere.
	 */
	public static function build( $command, array $contact, array $query ) {
		$json = array(
			'command' => $command,
			'contact' => array_intersect_key( $contact, array_flip( array( 'email', 'crm_id', 'first_name', 'last_name' ) ) ),
		);
		$tags = self::query_tags( $query );
		if ( null === $tags ) {
			if ( in_array( $command, array( 'tags.add', 'tags.remove' ), true ) && isset( $contact['event_tag'] ) ) {
				$tags = array( $contact['event_tag'] );
			} elseif ( in_array( $command, array( 'tags.set', 'contact.upsert' ), true ) && isset( $contact['tags'] ) ) {
				$tags = $contact['tags'];
			}
		}
		if ( null === $tags && in_array( $command, array( 'tags.add', 'tags.remove', 'tags.set' ), true ) ) {
			throw Command_Error::invalid( __( '/tags: no tags in the URL (tags=…) and none in the payload for this command.', 'taggate' ) );
		}
		if ( null !== $tags && 'ping' !== $command && 'access.revoke' !== $command && 'login.link' !== $command && 'password.reset' !== $command ) {
			$json['tags'] = array_values( $tags );
		}
		if ( in_array( $command, array( 'tags.add', 'tags.remove', 'tags.set' ), true ) ) {
			$json['create'] = self::truthy( isset( $query['create'] ) ? $query['create'] : '' );
		}
		/**
		 * Filters the command built from a CRM payload, before validation.
		 *
		 * @param array $json    Command.
		 * @param array $contact Contact read by the adapter.
		 * @param array $query   Query parameters.
		 */
		return (array) apply_filters( 'taggate_crm_command', $json, $contact, $query );
	}

	/**
	 * Tags from the query's `tags=` (comma-separated, or tags[]=…), or null.
	 *
	 * @param array $query Query parameters.
	 * @return string[]|null
	 */
	private static function query_tags( array $query ) {
		if ( ! isset( $query['tags'] ) ) {
			return null;
		}
		$raw  = $query['tags'];
		$list = is_array( $raw ) ? $raw : explode( ',', (string) $raw );
		$tags = array();
		foreach ( $list as $tag ) {
			if ( is_scalar( $tag ) && '' !== trim( (string) $tag ) ) {
				$tags[] = trim( (string) $tag );
			}
		}
		return $tags ? $tags : null;
	}

	/**
	 * True for 1, true, yes, on.
	 *
	 * @param mixed $value Value.
	 * @return bool
	 */
	private static function truthy( $value ) {
		return is_scalar( $value ) && in_array( strtolower( trim( (string) $value ) ), array( '1', 'true', 'yes', 'on' ), true );
	}
}
