<?php
/**
 * POST /wp-json/taggate/v1/webhook: signed commands (SPEC §6).
 *
 * Order of checks, cheapest and least revealing first:
 *   1. 503 unavailable  - the extension is not loaded, no secret is set, or the settings are unusable;
 *   2. 413 too_large    - Content-Length over the limit, checked in `parse_request` before WordPress
 *                         reads the body; the body's real length is checked again after reading;
 *   3. 401              - the signature over the raw body (never a re-encoded one);
 *   4. 200 duplicate    - a delivery id seen before;
 *   5. 400/403/404      - the command itself; 200 when applied.
 *
 * The route is public (`permission_callback` => `__return_true`) on purpose:
 * the caller is a CRM, never a logged-in WordPress user, and it proves who it
 * is with the signature, which handle() checks before anything else runs.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The webhook endpoint, and the delivery pipeline the CRM endpoint shares.
 */
final class Webhook_Controller {

	/** REST namespace. */
	const NAMESPACE = 'taggate/v1';

	/** SignatureException code => `error.code`. */
	const SIGNATURE_CODES = array(
		1 => 'missing_header',
		2 => 'malformed_header',
		3 => 'timestamp_out_of_tolerance',
		4 => 'no_matching_signature',
	);

	/**
	 * Hooks.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
		add_action( 'parse_request', array( __CLASS__, 'preflight_before_body' ), 0 );
		add_filter( 'rest_request_before_callbacks', array( __CLASS__, 'own_validation' ), 10, 3 );

		$route = self::route_from_url();
		if ( '' !== $route ) {
			// One of TagGate's endpoints: a machine talking to a machine.
			self::lean_request();
			// Answer once everything (plugins, theme, `init`) is loaded, before
			// WordPress parses the query and builds its REST server.
			add_action(
				'wp_loaded',
				static function () use ( $route ) {
					self::preflight_route( $route );
				},
				PHP_INT_MAX
			);
		}
	}

	/**
	 * The REST route this request asks for, read from the URL
	 * (`/wp-json/…` or `?rest_route=…`), or '' when the URL is not a REST
	 * one. Read once per request (the URL does not change).
	 *
	 * @return string
	 */
	public static function rest_route_from_url() {
		static $route = null;
		if ( null !== $route ) {
			return $route;
		}
		$route = '';
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- routing only.
		if ( isset( $_GET['rest_route'] ) && is_string( $_GET['rest_route'] ) ) {
			$route = '/' . ltrim( sanitize_text_field( wp_unslash( $_GET['rest_route'] ) ), '/' ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		} elseif ( isset( $_SERVER['REQUEST_URI'] ) && function_exists( 'rest_get_url_prefix' ) ) {
			$uri  = (string) wp_unslash( $_SERVER['REQUEST_URI'] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
			$rest = trim( rest_get_url_prefix(), '/' );
			// Page views stop here, before home_url() is built.
			if ( false === strpos( $uri, '/' . $rest ) ) {
				return $route;
			}
			$path   = (string) wp_parse_url( $uri, PHP_URL_PATH );
			$home   = (string) wp_parse_url( home_url( '/' ), PHP_URL_PATH );
			$prefix = trailingslashit( $home ) . $rest;
			if ( $path === $prefix || 0 === strpos( $path, $prefix . '/' ) ) {
				$route = '/' . ltrim( (string) substr( $path, strlen( $prefix ) ), '/' );
			}
		}
		return $route;
	}

	/**
	 * True when the URL is one of the REST API's (read before WordPress
	 * itself knows, e.g. on `init`).
	 *
	 * @return bool
	 */
	public static function is_rest_url() {
		return '' !== self::rest_route_from_url();
	}

	/**
	 * The TagGate REST route this request asks for (`/taggate/v1/…`), or ''.
	 * Other URL forms are still served through `parse_request`.
	 *
	 * @return string
	 */
	public static function route_from_url() {
		$route = self::rest_route_from_url();
		return 0 === strpos( $route, '/' . self::NAMESPACE . '/' ) ? $route : '';
	}

	/**
	 * On TagGate's endpoints, skips core work that only serves rendering
	 * pages (block types, block patterns, widgets): a delivery renders
	 * nothing, and this is a good third of WordPress's start-up time.
	 * Everything else, other plugins' `init` included, runs as usual.
	 */
	private static function lean_request() {
		/**
		 * Filters whether TagGate's endpoints skip the registration of block
		 * types, block patterns and widgets (nothing is rendered there).
		 * Return false if a `taggate_tags_added` listener renders blocks.
		 *
		 * @param bool $lean Default true.
		 */
		if ( ! apply_filters( 'taggate_lean_endpoint', true ) ) {
			return;
		}
		global $wp_filter;
		if ( empty( $wp_filter['init'] ) ) {
			return;
		}
		$skip = array( 'register_core_block_types_from_metadata', 'wp_widgets_init', '_register_core_block_patterns_and_categories', '_register_theme_block_patterns', 'register_block_core_legacy_widget' );
		foreach ( $wp_filter['init']->callbacks as $priority => $callbacks ) {
			foreach ( $callbacks as $callback ) {
				$fn = $callback['function'];
				if ( is_string( $fn ) && ( in_array( $fn, $skip, true ) || 0 === strpos( $fn, 'register_block_core_' ) ) ) {
					remove_action( 'init', $fn, $priority );
				} elseif ( is_array( $fn ) && 'WP_Block_Supports' === $fn[0] && 'init' === $fn[1] ) {
					remove_action( 'init', $fn, $priority );
				}
			}
		}
	}

	/**
	 * The route.
	 */
	public static function register_routes() {
		register_rest_route(
			self::NAMESPACE,
			'/webhook',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'handle' ),
				// Public by design: the signature, verified in handle(), is the authentication.
				'permission_callback' => '__return_true',
				'args'                => array(),
			)
		);
	}

	/**
	 * Answers 503 / 401 / 413 for TagGate's routes before WordPress reads the
	 * request body (the REST server reads php://input in full before dispatch).
	 *
	 * @param \WP $wp The request being parsed.
	 */
	public static function preflight_before_body( $wp ) {
		$route = isset( $wp->query_vars['rest_route'] ) ? '/' . ltrim( (string) $wp->query_vars['rest_route'], '/' ) : '';
		self::preflight_route( $route );
	}

	/**
	 * The early checks for a route (and, with the fast path, the answer).
	 *
	 * @param string $route REST route.
	 */
	private static function preflight_route( $route ) {
		if ( '' === $route || 0 !== strpos( $route, '/' . self::NAMESPACE . '/' ) ) {
			return;
		}
		$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : 'GET';
		$error  = null;
		$log    = array();
		if ( '/' . self::NAMESPACE . '/webhook' === untrailingslashit( $route ) && 'POST' === $method ) {
			$error = self::availability();
			$log   = array(
				'source' => 'webhook',
				'scheme' => (string) Settings::get( 'scheme' ),
			);
		} elseif ( 0 === strpos( $route, '/' . self::NAMESPACE . '/crm/' ) && in_array( $method, array( 'GET', 'HEAD', 'POST' ), true ) ) {
			$error = Crm_Controller::preflight( wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the URL key is the credential, checked here.
			$log   = array(
				'source' => 'crm',
				'scheme' => (string) Settings::get( 'crm_adapter' ),
			);
			if ( ! $error && 'POST' !== $method ) {
				if ( apply_filters( 'taggate_fast_path', true, $route ) ) {
					self::send_now( self::serve_directly( $route, $method ) );
				}
				return;
			}
		} else {
			return;
		}
		if ( ! $error ) {
			$error = self::check_declared_length();
		}
		if ( $error ) {
			self::log_error( $log, $error, 0, '', microtime( true ) );
			self::send_now( self::error_response( $error ) );
		}
		/**
		 * Filters whether TagGate answers its endpoints straight from
		 * `parse_request`, without building WordPress's REST server (which
		 * registers every core route: several milliseconds per delivery).
		 * The handlers are the same either way; return false to go through
		 * the REST server (e.g. for a plugin that filters REST responses).
		 *
		 * @param bool   $fast  Default true.
		 * @param string $route The REST route asked for.
		 */
		if ( apply_filters( 'taggate_fast_path', true, $route ) ) {
			self::send_now( self::serve_directly( $route, $method ) );
		}
	}

	/**
	 * Runs a TagGate route's handler on a WP_REST_Request built from this
	 * request, without the REST server.
	 *
	 * @param string $route  REST route.
	 * @param string $method HTTP method.
	 * @return \WP_REST_Response
	 */
	private static function serve_directly( $route, $method ) {
		if ( ! defined( 'REST_REQUEST' ) ) {
			define( 'REST_REQUEST', true ); // What rest_api_loaded() would have said.
		}
		$request = new \WP_REST_Request( $method, $route );
		$request->set_query_params( wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$request->set_body_params( wp_unslash( $_POST ) ); // phpcs:ignore WordPress.Security.NonceVerification.Missing
		$request->set_headers( self::request_headers() );
		if ( 'POST' === $method ) {
			$request->set_body( \WP_REST_Server::get_raw_data() );
		}
		if ( preg_match( '#^/' . preg_quote( self::NAMESPACE, '#' ) . '/crm/([a-zA-Z0-9._-]+)/?$#', $route, $m ) ) {
			$request->set_url_params( array( 'command' => $m[1] ) );
			return Crm_Controller::handle( $request );
		}
		if ( preg_match( '#^/' . preg_quote( self::NAMESPACE, '#' ) . '/crm/#', $route ) ) {
			return self::error_response( Command_Error::invalid( __( '/command: not a command this URL accepts.', 'taggate' ) ) );
		}
		return self::handle( $request );
	}

	/**
	 * Lets handle() answer WordPress's own parameter errors (invalid JSON,
	 * typed args) in the JSON format of SPEC §6, after checking the signature.
	 *
	 * @param mixed            $response Result so far (a WP_Error from WordPress's validation).
	 * @param array            $handler  Matched handler.
	 * @param \WP_REST_Request $request  Request.
	 * @return mixed
	 */
	public static function own_validation( $response, $handler, $request ) {
		unset( $request );
		$callback = isset( $handler['callback'] ) ? $handler['callback'] : null;
		$ours     = is_array( $callback ) && in_array( $callback[0], array( __CLASS__, Crm_Controller::class ), true );
		if ( $ours && is_wp_error( $response ) && in_array( $response->get_error_code(), array( 'rest_invalid_json', 'rest_invalid_param', 'rest_missing_callback_param' ), true ) ) {
			return null;
		}
		return $response;
	}

	/**
	 * POST /webhook.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public static function handle( \WP_REST_Request $request ) {
		$start = microtime( true );
		$log   = array(
			'source' => 'webhook',
			'scheme' => (string) Settings::get( 'scheme' ),
		);
		$error = self::availability();
		if ( ! $error ) {
			$error = self::check_declared_length();
		}
		$body = '';
		if ( ! $error ) {
			$body  = (string) $request->get_body();
			$error = self::check_length( strlen( $body ) );
		}
		if ( $error ) {
			return self::log_error( $log, $error, strlen( $body ), $body, $start );
		}

		try {
			$webhook = new \TagGate\Webhook( (string) Settings::get( 'scheme' ), Settings::secrets(), (int) Settings::get( 'tolerance' ) );
		} catch ( \Throwable $e ) {
			$error = Command_Error::unavailable( __( 'The webhook settings are not usable (scheme or secret); see the TagGate settings.', 'taggate' ) );
			return self::log_error( $log, $error, strlen( $body ), $body, $start );
		}
		$headers = self::request_headers();
		try {
			$id = (string) $webhook->verify( $headers, $body, null, $request->get_method(), self::request_url() );
		} catch ( \TagGate\SignatureException $e ) {
			$code  = isset( self::SIGNATURE_CODES[ $e->getCode() ] ) ? self::SIGNATURE_CODES[ $e->getCode() ] : 'no_matching_signature';
			$error = new Command_Error( $code, 401, $e->getMessage() );
			return self::log_error( $log, $error, strlen( $body ), $body, $start );
		} catch ( \Throwable $e ) {
			$error = new Command_Error( 'malformed_header', 401, __( 'The signature headers could not be read.', 'taggate' ) );
			return self::log_error( $log, $error, strlen( $body ), $body, $start );
		}

		// Only a delivery id de-duplicates. Schemes without one (stripe, kit,
		// hubspot-v3) rely on their timestamp window: keying on (timestamp,
		// body) instead would drop a legitimate add/remove/add sequence sent
		// within one second.
		return self::deliver(
			$id,
			$id,
			$log,
			$body,
			$start,
			static function ( array &$meta ) use ( $body ) {
				$command         = Command_Runner::parse( $body );
				$meta['command'] = (string) $command['command'];
				$meta['contact'] = Command_Runner::contact_email( $command );
				return Command_Runner::run( $command, 'webhook' );
			}
		);
	}

	/**
	 * The delivery pipeline, shared with the CRM endpoint: claims the
	 * delivery id, runs $work, logs, answers. One transaction: a 4xx keeps
	 * the claimed id (rolled back to a savepoint, nothing else changed), a
	 * 5xx rolls back everything, the id included, so a retry can succeed.
	 *
	 * @param string   $dedup_key Key to de-duplicate on ('' for none).
	 * @param string   $id        Delivery id answered.
	 * @param array    $log       Log columns known so far.
	 * @param string   $body      Raw body (hashed for the log, never stored).
	 * @param float    $start     microtime() at the start.
	 * @param callable $work      `function ( array &$meta ): array` returns the result (and fills
	 *                            $meta['command'] / $meta['contact'] for the log as soon as it knows
	 *                            them), or throws Command_Error.
	 * @return \WP_REST_Response
	 */
	public static function deliver( $dedup_key, $id, array $log, $body, $start, callable $work ) {
		$log['delivery_id'] = (string) $id;
		$log['body_sha256'] = hash( 'sha256', (string) $body );
		$log['body_size']   = strlen( (string) $body );
		$log['received_at'] = (int) $start;
		$meta               = array(
			'command' => isset( $log['command'] ) ? (string) $log['command'] : '',
			'contact' => isset( $log['contact'] ) ? (string) $log['contact'] : '',
		);
		try {
			return Db::transaction(
				static function () use ( $dedup_key, $id, $log, $start, $work, &$meta ) {
					$row_id = 0;
					if ( '' !== $dedup_key ) {
						$row_id = Delivery_Log::claim( $dedup_key, $log );
						if ( false === $row_id ) {
							$first = Delivery_Log::find_key( $dedup_key );
							Delivery_Log::record(
								$log + array(
									'command'     => $first ? $first['command'] : '',
									'contact'     => $first ? $first['contact'] : '',
									'user_id'     => $first ? $first['user_id'] : 0,
									'outcome'     => 'duplicate',
									'status'      => 200,
									'duration_ms' => self::ms( $start ),
								)
							);
							return self::ok_response(
								$id,
								true,
								array(
									'status'      => $first ? $first['status'] : 200,
									'received_at' => $first ? $first['received_at'] : 0,
								)
							);
						}
					}
					$status = 200;
					$error  = null;
					$result = array();
					try {
						Db::transaction(
							static function () use ( $work, &$meta, &$result ) {
								$result = (array) $work( $meta );
							}
						);
					} catch ( Command_Error $e ) {
						if ( $e->status() >= 500 ) {
							throw $e;
						}
						$status = $e->status();
						$error  = $e;
					}
					$row = array(
						'command'       => $meta['command'],
						'contact'       => $meta['contact'],
						'user_id'       => isset( $result['user_id'] ) ? (int) $result['user_id'] : 0,
						'outcome'       => $error ? 'rejected' : 'applied',
						'status'        => $status,
						'error_code'    => $error ? $error->error_code() : '',
						'error_message' => $error ? $error->getMessage() : '',
						'duration_ms'   => self::ms( $start ),
					);
					if ( $row_id ) {
						Delivery_Log::finish( $row_id, $row );
					} else {
						Delivery_Log::record( $row + $log );
					}
					return $error ? self::error_response( $error ) : self::ok_response( $id, false, $result );
				}
			);
		} catch ( \Throwable $e ) {
			if ( $e instanceof Command_Error && $e->status() >= 500 ) {
				$error = $e;
			} else {
				Command_Runner::report( $e, 'delivery' );
				$error = Command_Error::unavailable( __( 'The command could not be applied and nothing was changed. Retry later.', 'taggate' ), $e );
			}
			$log['command'] = $meta['command'];
			$log['contact'] = $meta['contact'];
			return self::log_error( $log, $error, strlen( (string) $body ), $body, $start, $e );
		}
	}

	/**
	 * 503 when the endpoint cannot work at all, else null.
	 *
	 * @return Command_Error|null
	 */
	public static function availability() {
		if ( ! Plugin::extension_loaded() ) {
			return Command_Error::unavailable( __( 'The taggate PHP extension is not loaded.', 'taggate' ) );
		}
		if ( ! Settings::secrets() ) {
			return Command_Error::unavailable( __( 'No webhook secret is configured.', 'taggate' ) );
		}
		return null;
	}

	/**
	 * 413 when the request's Content-Length is over the limit, else null.
	 *
	 * @return Command_Error|null
	 */
	public static function check_declared_length() {
		$declared = isset( $_SERVER['CONTENT_LENGTH'] ) ? trim( sanitize_text_field( wp_unslash( $_SERVER['CONTENT_LENGTH'] ) ) ) : '';
		if ( '' !== $declared && ctype_digit( $declared ) ) {
			// Compare as strings first so a huge number cannot overflow.
			if ( strlen( ltrim( $declared, '0' ) ) > 18 ) {
				return self::too_large();
			}
			return self::check_length( (int) $declared );
		}
		return null;
	}

	/**
	 * 413 when $bytes is over the limit, else null.
	 *
	 * @param int $bytes Body size.
	 * @return Command_Error|null
	 */
	public static function check_length( $bytes ) {
		return $bytes > (int) Settings::get( 'max_body_bytes' ) ? self::too_large() : null;
	}

	/**
	 * The 413 error.
	 *
	 * @return Command_Error
	 */
	private static function too_large() {
		return new Command_Error(
			'too_large',
			413,
			/* translators: %d: limit in bytes. */
			sprintf( __( 'The body is larger than the limit of %d bytes.', 'taggate' ), (int) Settings::get( 'max_body_bytes' ) )
		);
	}

	/**
	 * The request headers as sent (name => value). Read from the SAPI, so
	 * WordPress's slashing of $_SERVER never touches a signature.
	 *
	 * @return array<string,string>
	 */
	public static function request_headers() {
		if ( function_exists( 'getallheaders' ) ) {
			$headers = getallheaders();
			if ( is_array( $headers ) && $headers ) {
				return $headers;
			}
		}
		$headers = array();
		foreach ( $_SERVER as $name => $value ) { // phpcs:ignore WordPress.Security.ValidatedSanitizedInput
			if ( 0 === strpos( $name, 'HTTP_' ) && is_string( $value ) ) {
				$headers[ str_replace( '_', '-', strtolower( substr( $name, 5 ) ) ) ] = wp_unslash( $value );
			} elseif ( in_array( $name, array( 'CONTENT_TYPE', 'CONTENT_LENGTH' ), true ) && is_string( $value ) ) {
				$headers[ str_replace( '_', '-', strtolower( $name ) ) ] = wp_unslash( $value );
			}
		}
		return $headers;
	}

	/**
	 * The URL as the sender addressed it (for `hubspot-v3`).
	 *
	 * @return string
	 */
	public static function request_url() {
		$host = isset( $_SERVER['HTTP_HOST'] ) ? wp_unslash( $_SERVER['HTTP_HOST'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$uri  = isset( $_SERVER['REQUEST_URI'] ) ? wp_unslash( $_SERVER['REQUEST_URI'] ) : '/'; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		return ( is_ssl() ? 'https' : 'http' ) . '://' . $host . $uri;
	}

	/**
	 * `{"ok": true, "id": …, "duplicate": …, "result": {…}}`.
	 *
	 * @param string $id        Delivery id.
	 * @param bool   $duplicate Seen before.
	 * @param array  $result    Result.
	 * @return \WP_REST_Response
	 */
	public static function ok_response( $id, $duplicate, array $result ) {
		$response = new \WP_REST_Response(
			array(
				'ok'        => true,
				'id'        => (string) $id,
				'duplicate' => (bool) $duplicate,
				'result'    => Command_Runner::object( $result ),
			),
			200
		);
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * `{"ok": false, "error": {"code": …, "message": …}}`.
	 *
	 * @param Command_Error $error Error.
	 * @return \WP_REST_Response
	 */
	public static function error_response( Command_Error $error ) {
		$response = new \WP_REST_Response(
			array(
				'ok'    => false,
				'error' => $error->to_array(),
			),
			$error->status()
		);
		$response->header( 'Cache-Control', 'no-store' );
		return $response;
	}

	/**
	 * Logs a request that remembers nothing and answers its error.
	 *
	 * @param array           $log   Log columns.
	 * @param Command_Error   $error Error.
	 * @param int             $size  Body size.
	 * @param string          $body  Body ('' when not read).
	 * @param float           $start Start time.
	 * @param \Throwable|null $cause The unexpected failure behind a 503.
	 * @return \WP_REST_Response
	 */
	public static function log_error( array $log, Command_Error $error, $size, $body, $start, $cause = null ) {
		$message = $error->getMessage();
		if ( $cause && ! $cause instanceof Command_Error ) {
			$message .= ' (' . get_class( $cause ) . ')';
		}
		Delivery_Log::record(
			$log + array(
				'received_at'   => (int) $start,
				'outcome'       => $error->status() >= 500 ? 'failed' : 'rejected',
				'status'        => $error->status(),
				'error_code'    => $error->error_code(),
				'error_message' => $message,
				'body_sha256'   => '' === $body ? '' : hash( 'sha256', (string) $body ),
				'body_size'     => (int) $size,
				'duration_ms'   => self::ms( $start ),
			)
		);
		return self::error_response( $error );
	}

	/**
	 * Sends a REST response at once and ends the request (before WordPress
	 * has read the body).
	 *
	 * @param \WP_REST_Response $response Response.
	 */
	private static function send_now( \WP_REST_Response $response ) {
		if ( ! defined( 'REST_REQUEST' ) ) {
			define( 'REST_REQUEST', true ); // What rest_api_loaded() would have said.
		}
		if ( ! headers_sent() ) {
			status_header( $response->get_status() );
			header( 'Content-Type: application/json; charset=' . get_option( 'blog_charset' ) );
			header( 'X-Content-Type-Options: nosniff' );
			header( 'X-Robots-Tag: noindex' );
			foreach ( $response->get_headers() as $name => $value ) {
				header( $name . ': ' . $value );
			}
		}
		if ( 'HEAD' !== ( isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : '' ) ) {
			echo wp_json_encode( $response->get_data() ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- JSON.
		}
		exit;
	}

	/**
	 * Milliseconds since $start.
	 *
	 * @param float $start microtime( true ).
	 * @return int
	 */
	private static function ms( $start ) {
		return (int) round( ( microtime( true ) - $start ) * 1000 );
	}
}
