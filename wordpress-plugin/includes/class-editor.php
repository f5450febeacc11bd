<?php
/**
 * The rule field of every gated post type: a document settings panel in the
 * block editor, a meta box in the classic editor, both validating the rule
 * live through `POST /wp-json/taggate/v1/rule/validate`. An invalid rule is
 * never saved: the block editor locks saving, the REST API answers 400, and
 * the classic editor keeps the previous rule and says why.
 *
 * REST: posts of gated types carry a `taggate_rule` field in the `edit`
 * context only (the rule names tags, which visitors need not see).
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The editor integration.
 */
final class Editor {

	const REST_NAMESPACE = 'taggate/v1';
	const FIELD          = 'taggate_rule';
	const NONCE_ACTION   = 'taggate_save_rule';
	const NONCE_NAME     = 'taggate_rule_nonce';

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		// The meta key's registration matters where meta is written or its
		// capability checked: wp-admin, REST, XML-RPC, WP-CLI (not page views).
		if ( is_admin() || ( defined( 'XMLRPC_REQUEST' ) && XMLRPC_REQUEST ) || ( defined( 'WP_CLI' ) && WP_CLI ) ) {
			add_action( 'init', array( __CLASS__, 'register_meta' ), 20 );
		} else {
			add_action( 'rest_api_init', array( __CLASS__, 'register_meta' ), 0 );
		}
		add_action( 'rest_api_init', array( __CLASS__, 'register_rest' ) );
		add_action( 'enqueue_block_editor_assets', array( __CLASS__, 'enqueue_block_editor' ) );
		add_action( 'add_meta_boxes', array( __CLASS__, 'add_meta_box' ), 10, 2 );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue_classic' ) );
		add_action( 'save_post', array( __CLASS__, 'save_meta_box' ), 10, 2 );
		add_action( 'admin_notices', array( __CLASS__, 'meta_box_notice' ) );
	}

	/**
	 * Registers the meta key (protected; editable by those who can edit the post).
	 */
	public static function register_meta() {
		register_post_meta(
			'',
			Gate::META,
			array(
				'type'              => 'string',
				'single'            => true,
				// No 'default': a registered default makes WordPress run a filter on
				// every missing post meta lookup of every post (get_post_meta() already
				// answers '' for a post without a rule).
				'show_in_rest'      => false,
				'sanitize_callback' => array( __CLASS__, 'sanitize_rule' ),
				'auth_callback'     => static function ( $allowed, $meta_key, $post_id, $user_id ) {
					return user_can( $user_id, 'edit_post', $post_id );
				},
			)
		);
	}

	/**
	 * Trims a rule and drops invalid UTF-8.
	 *
	 * @param mixed $rule Rule.
	 * @return string
	 */
	public static function sanitize_rule( $rule ) {
		return is_string( $rule ) ? trim( wp_check_invalid_utf8( $rule ) ) : '';
	}

	/**
	 * Registers the REST field, the validation route and the block checks.
	 */
	public static function register_rest() {
		register_rest_route(
			self::REST_NAMESPACE,
			'/rule/validate',
			array(
				'methods'             => \WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'rest_validate' ),
				'permission_callback' => array( __CLASS__, 'can_validate' ),
				'args'                => array(
					'rule'    => array(
						'description' => __( 'The rule to check.', 'taggate' ),
						'type'        => 'string',
						'required'    => true,
						'maxLength'   => 70000,
					),
					'post_id' => array(
						'description' => __( 'The post the rule is for (checks edit_post on it).', 'taggate' ),
						'type'        => 'integer',
						'minimum'     => 0,
						'default'     => 0,
					),
				),
			)
		);

		foreach ( Gate_Config::post_types() as $type ) {
			$object = get_post_type_object( $type );
			if ( ! $object || empty( $object->show_in_rest ) ) {
				continue;
			}
			register_rest_field(
				$type,
				self::FIELD,
				array(
					'get_callback'    => array( __CLASS__, 'rest_get_field' ),
					'update_callback' => array( __CLASS__, 'rest_update_field' ),
					'schema'          => array(
						'description' => __( 'The TagGate rule that decides who may read this post (empty: everyone).', 'taggate' ),
						'type'        => 'string',
						'context'     => array( 'edit' ),
						'arg_options' => array(
							'sanitize_callback' => array( __CLASS__, 'sanitize_rule' ),
							'validate_callback' => array( __CLASS__, 'rest_validate_field' ),
						),
					),
				)
			);
			add_filter( 'rest_pre_insert_' . $type, array( __CLASS__, 'rest_check_block_rules' ), 10, 2 );
		}
	}

	/**
	 * Permission for the validation route: edit_post on the post, or
	 * edit_posts without one. (Cookie requests also need the wp_rest nonce:
	 * without it WordPress treats them as a visitor's.)
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return bool
	 */
	public static function can_validate( $request ) {
		$post_id = (int) $request['post_id'];
		if ( $post_id > 0 ) {
			return current_user_can( 'edit_post', $post_id );
		}
		return current_user_can( 'edit_posts' );
	}

	/**
	 * `POST taggate/v1/rule/validate`.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return \WP_REST_Response
	 */
	public static function rest_validate( $request ) {
		$rule = (string) $request['rule'];
		if ( '' === trim( $rule ) ) {
			// An empty post rule is valid: the post is public.
			return rest_ensure_response(
				array(
					'valid'     => true,
					'empty'     => true,
					'canonical' => '',
					'tags'      => array(),
				)
			);
		}
		$check = Gate_Rules::check( $rule );
		$check['empty'] = false;
		$status         = ( ! $check['valid'] && 'unavailable' === $check['error']['code'] ) ? 503 : 200;
		return new \WP_REST_Response( $check, $status );
	}

	/**
	 * REST field: read.
	 *
	 * @param array $post Prepared post.
	 * @return string
	 */
	public static function rest_get_field( $post ) {
		$rule = get_post_meta( (int) $post['id'], Gate::META, true );
		return is_string( $rule ) ? $rule : '';
	}

	/**
	 * REST field: validate before anything is written.
	 *
	 * @param mixed            $value   Value.
	 * @param \WP_REST_Request $request Request.
	 * @param string           $param   Parameter.
	 * @return true|\WP_Error
	 */
	public static function rest_validate_field( $value, $request = null, $param = '' ) {
		if ( ! is_string( $value ) ) {
			/* translators: %s: parameter name. */
			return new \WP_Error( 'rest_invalid_type', sprintf( __( '%s is not of type string.', 'taggate' ), self::FIELD ), array( 'status' => 400 ) );
		}
		if ( '' === trim( $value ) ) {
			return true;
		}
		return Gate_Rules::validate( $value );
	}

	/**
	 * REST field: write.
	 *
	 * @param string   $value Value (validated and trimmed).
	 * @param \WP_Post $post  Post.
	 * @return true|\WP_Error
	 */
	public static function rest_update_field( $value, $post ) {
		if ( ! current_user_can( 'edit_post', $post->ID ) ) {
			return new \WP_Error( 'rest_cannot_edit', __( 'Sorry, you are not allowed to edit this post.', 'taggate' ), array( 'status' => rest_authorization_required_code() ) );
		}
		return self::save_rule( (int) $post->ID, (string) $value );
	}

	/**
	 * Saves (or clears) a post's rule once it is known to be valid.
	 *
	 * @param int    $post_id Post id.
	 * @param string $rule    Rule ('' clears).
	 * @return true|\WP_Error
	 */
	public static function save_rule( $post_id, $rule ) {
		$rule = self::sanitize_rule( $rule );
		if ( '' === $rule ) {
			delete_post_meta( $post_id, Gate::META );
			return true;
		}
		$valid = Gate_Rules::validate( $rule );
		if ( is_wp_error( $valid ) ) {
			return $valid;
		}
		if ( get_post_meta( $post_id, Gate::META, true ) !== $rule ) {
			// update_post_meta() unslashes its value; rules may hold backslashes.
			update_post_meta( $post_id, Gate::META, wp_slash( $rule ) );
		}
		return true;
	}

	/**
	 * `rest_pre_insert_{type}`: content whose TagGate blocks hold an invalid
	 * rule is refused before anything is saved.
	 *
	 * @param \stdClass        $prepared Post about to be saved.
	 * @param \WP_REST_Request $request  Request.
	 * @return \stdClass|\WP_Error
	 */
	public static function rest_check_block_rules( $prepared, $request ) {
		if ( ! is_object( $prepared ) || ! isset( $prepared->post_content ) ) {
			return $prepared;
		}
		foreach ( Block::rules_in( (string) $prepared->post_content ) as $index => $rule ) {
			if ( '' === trim( $rule ) ) {
				return new \WP_Error(
					'taggate_invalid_rule',
					/* translators: %d: the block's number in the post. */
					sprintf( __( 'TagGate block %d has no rule.', 'taggate' ), $index + 1 ),
					array( 'status' => 400 )
				);
			}
			/* translators: %d: the block's number in the post. */
			$valid = Gate_Rules::validate( $rule, sprintf( __( 'TagGate block %d', 'taggate' ), $index + 1 ) );
			if ( is_wp_error( $valid ) ) {
				return $valid;
			}
		}
		return $prepared;
	}

	/*
	 * ------------------------------------------------------------------
	 * Block editor.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Enqueues the document panel in the block editor of gated post types.
	 */
	public static function enqueue_block_editor() {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( ! $screen || empty( $screen->post_type ) || ! Gate_Config::is_gated_type( $screen->post_type ) ) {
			return;
		}
		Gate_Assets::register_editor_assets();
		wp_enqueue_script( 'taggate-editor-panel' );
		wp_enqueue_style( 'taggate-editor' );
	}

	/*
	 * ------------------------------------------------------------------
	 * Classic editor.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Adds the meta box to gated post types (hidden in the block editor,
	 * which has the panel).
	 *
	 * @param string   $post_type Post type.
	 * @param \WP_Post $post      Post.
	 */
	public static function add_meta_box( $post_type, $post = null ) {
		if ( ! Gate_Config::is_gated_type( $post_type ) ) {
			return;
		}
		add_meta_box(
			'taggate-rule',
			__( 'TagGate access', 'taggate' ),
			array( __CLASS__, 'render_meta_box' ),
			$post_type,
			'side',
			'high',
			array( '__back_compat_meta_box' => true )
		);
	}

	/**
	 * Renders the meta box.
	 *
	 * @param \WP_Post $post Post.
	 */
	public static function render_meta_box( $post ) {
		$rule = get_post_meta( $post->ID, Gate::META, true );
		wp_nonce_field( self::NONCE_ACTION . '_' . $post->ID, self::NONCE_NAME );
		?>
		<p>
			<label for="taggate-rule-field"><strong><?php esc_html_e( 'Who may read this', 'taggate' ); ?></strong></label>
			<textarea id="taggate-rule-field" class="widefat code taggate-rule-input" name="taggate_rule" rows="3" spellcheck="false" data-post-id="<?php echo esc_attr( (string) $post->ID ); ?>" placeholder="<?php esc_attr_e( 'e.g. any(gold, silver) and not refunded', 'taggate' ); ?>"><?php echo esc_textarea( is_string( $rule ) ? $rule : '' ); ?></textarea>
		</p>
		<p class="taggate-rule-status" aria-live="polite"></p>
		<p class="description"><?php esc_html_e( 'Empty: everyone. Otherwise only logged-in users whose tags match the rule (administrators always).', 'taggate' ); ?></p>
		<?php
	}

	/**
	 * Enqueues the meta box script on the classic editor screens.
	 *
	 * @param string $hook_suffix Admin page.
	 */
	public static function enqueue_classic( $hook_suffix ) {
		if ( 'post.php' !== $hook_suffix && 'post-new.php' !== $hook_suffix ) {
			return;
		}
		$screen = get_current_screen();
		if ( ! $screen || ! Gate_Config::is_gated_type( $screen->post_type ) || ( method_exists( $screen, 'is_block_editor' ) && $screen->is_block_editor() ) ) {
			return;
		}
		Gate_Assets::register_editor_assets();
		wp_enqueue_script( 'taggate-metabox' );
		wp_enqueue_style( 'taggate-editor' );
	}

	/**
	 * `save_post`: saves the meta box's rule (nonce, capability, validation).
	 *
	 * @param int      $post_id Post id.
	 * @param \WP_Post $post    Post.
	 */
	public static function save_meta_box( $post_id, $post ) {
		if ( ! isset( $_POST[ self::NONCE_NAME ], $_POST['taggate_rule'] ) ) {
			return;
		}
		if ( ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST[ self::NONCE_NAME ] ) ), self::NONCE_ACTION . '_' . $post_id ) ) {
			return;
		}
		if ( wp_is_post_autosave( $post_id ) || wp_is_post_revision( $post_id ) || ! current_user_can( 'edit_post', $post_id ) ) {
			return;
		}
		if ( ! Gate_Config::is_gated_type( $post->post_type ) ) {
			return;
		}
		// A rule is not text to sanitise as HTML: it is trimmed, checked by the extension and escaped on output.
		$rule   = self::sanitize_rule( wp_unslash( $_POST['taggate_rule'] ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized
		$result = self::save_rule( $post_id, $rule );
		if ( is_wp_error( $result ) ) {
			set_transient( 'taggate_rule_error_' . get_current_user_id(), $result->get_error_message(), 120 );
		}
	}

	/**
	 * Shows the error of a rule the classic editor could not save.
	 */
	public static function meta_box_notice() {
		$screen = get_current_screen();
		if ( ! $screen || 'post' !== $screen->base ) {
			return;
		}
		$key     = 'taggate_rule_error_' . get_current_user_id();
		$message = get_transient( $key );
		if ( ! $message ) {
			return;
		}
		delete_transient( $key );
		printf(
			'<div class="notice notice-error"><p>%s</p><p>%s</p></div>',
			esc_html__( 'TagGate did not save the rule; the previous rule is still in force.', 'taggate' ),
			esc_html( $message )
		);
	}
}
