<?php
/**
 * Gating: a post's `_taggate_rule` decides who may read it, on every surface
 * WordPress can show it on.
 *
 * How it works, per request:
 *
 * - The current user's tags are loaded once, into one `TagGate\TagSet`.
 * - Lists of posts (`the_posts`, i.e. every WP_Query that runs filters) are
 *   decided in one `taggate_filter()` call; single posts fetched any other way
 *   are decided one by one. Every decision is cached for the request.
 * - The posts a user may not read are redacted where they are produced (the
 *   post objects of a query, for users who cannot edit them) and again where
 *   they are shown (content, excerpt, feeds, embeds, REST responses), so that
 *   a theme or plugin reading either path gets the denied message.
 * - Their comments are hidden (queries, feeds, templates, REST) and new ones
 *   refused; search leaves them out.
 *
 * Fail closed: without the extension, with no tag store, with a tag set that
 * cannot be built, or with a rule that does not compile, a protected post is
 * denied (bypass users still pass).
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The gate.
 */
final class Gate {

	/**
	 * The post meta key holding a post's rule.
	 */
	const META = '_taggate_rule';

	/**
	 * The capability that passes every rule.
	 */
	const BYPASS_CAP = 'taggate_bypass';

	/**
	 * The user the cached state below belongs to (null: none yet).
	 *
	 * @var int|null
	 */
	private static $user_id = null;

	/**
	 * The user's tag set: a TagSet, null when there is none to use (logged
	 * out, extension missing, tags unreadable), false before it is loaded.
	 *
	 * @var \TagGate\TagSet|null|false
	 */
	private static $tags = false;

	/**
	 * Whether the user has taggate_bypass (null: not asked yet).
	 *
	 * @var bool|null
	 */
	private static $bypass = null;

	/**
	 * Whether the user may edit posts at all (null: not asked yet).
	 *
	 * @var bool|null
	 */
	private static $can_edit_posts = null;

	/**
	 * Post id => may the user read it.
	 *
	 * @var array<int, bool>
	 */
	private static $decisions = array();

	/**
	 * Rule source => does the user pass it (shortcode and block rules).
	 *
	 * @var array<string, bool>
	 */
	private static $rule_results = array();

	/**
	 * Ids of every gated post the user may not read (null: not computed).
	 *
	 * @var int[]|null
	 */
	private static $denied_ids = null;

	/**
	 * Ids of posts whose stored content holds no partial gate (seen in
	 * `the_posts`): their pages need no scan. Content, not users: kept
	 * across resets.
	 *
	 * @var array<int, true>
	 */
	private static $plain = array();

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		Gate_Tags::register();

		// Decide lists in one batch and redact what the user may not read.
		add_filter( 'the_posts', array( __CLASS__, 'filter_the_posts' ), 5, 2 );

		// The page, feeds, embeds: early (skip the work, resolve partial gates
		// before blocks and shortcodes) and last (nothing re-adds the content).
		add_filter( 'the_content', array( __CLASS__, 'filter_content_early' ), 0 );
		add_filter( 'the_content', array( __CLASS__, 'filter_content' ), PHP_INT_MAX );
		// Excerpts: last. An automatic excerpt is made of get_the_content() and
		// the_content, both already gated, so nothing protected is rendered first.
		add_filter( 'get_the_excerpt', array( __CLASS__, 'filter_excerpt' ), PHP_INT_MAX, 2 );
		add_filter( 'the_content_feed', array( __CLASS__, 'filter_content' ), PHP_INT_MAX );
		add_filter( 'the_excerpt_rss', array( __CLASS__, 'filter_excerpt_text' ), PHP_INT_MAX );
		add_filter( 'the_excerpt_embed', array( __CLASS__, 'filter_excerpt_text' ), PHP_INT_MAX );
		add_filter( 'content_pagination', array( __CLASS__, 'filter_pages' ), 0, 2 );

		// Search leaves out what the user may not read.
		add_filter( 'posts_where', array( __CLASS__, 'filter_search_where' ), 10, 2 );

		// Comments: hidden and closed.
		add_filter( 'comments_clauses', array( __CLASS__, 'filter_comment_clauses' ), 10, 2 );
		add_filter( 'comment_feed_where', array( __CLASS__, 'filter_comment_feed_where' ), 10, 2 );
		add_filter( 'comments_array', array( __CLASS__, 'filter_comments_array' ), PHP_INT_MAX, 2 );
		add_filter( 'get_comment_text', array( __CLASS__, 'filter_comment_text' ), PHP_INT_MAX, 2 );
		add_filter( 'get_comments_number', array( __CLASS__, 'filter_comments_number' ), PHP_INT_MAX, 2 );
		add_filter( 'comments_open', array( __CLASS__, 'filter_comments_open' ), PHP_INT_MAX, 2 );
		add_filter( 'pings_open', array( __CLASS__, 'filter_comments_open' ), PHP_INT_MAX, 2 );
		add_action( 'pre_comment_on_post', array( __CLASS__, 'refuse_comment' ), 0 );
		add_filter( 'rest_pre_insert_comment', array( __CLASS__, 'filter_rest_insert_comment' ), 0, 2 );
		add_filter( 'rest_prepare_comment', array( __CLASS__, 'filter_rest_comment' ), PHP_INT_MAX, 2 );

		// REST: posts of every gated type.
		add_action( 'rest_api_init', array( __CLASS__, 'register_rest_filters' ) );

		// The single view: redirect when configured, and keep caches out.
		add_action( 'template_redirect', array( __CLASS__, 'template_redirect' ), 1 );

		// A change to the current user's tags or to a rule invalidates what was cached.
		add_action( 'taggate_tags_added', array( __CLASS__, 'on_tags_changed' ), 0 );
		add_action( 'taggate_tags_removed', array( __CLASS__, 'on_tags_changed' ), 0 );
		add_action( 'added_post_meta', array( __CLASS__, 'on_meta_changed' ), 10, 3 );
		add_action( 'updated_post_meta', array( __CLASS__, 'on_meta_changed' ), 10, 3 );
		add_action( 'deleted_post_meta', array( __CLASS__, 'on_meta_changed' ), 10, 3 );
	}

	/*
	 * ------------------------------------------------------------------
	 * Per-request state.
	 * ------------------------------------------------------------------
	 */

	/**
	 * Forgets everything cached (the next question starts afresh).
	 */
	public static function reset() {
		self::$user_id        = null;
		self::$tags           = false;
		self::$bypass         = null;
		self::$can_edit_posts = null;
		self::$decisions      = array();
		self::$rule_results   = array();
		self::$denied_ids     = null;
	}

	/**
	 * The current user id; the cached state follows it (REST cookie checks
	 * and wp_set_current_user() may change the user during a request).
	 *
	 * @return int
	 */
	private static function user_id() {
		// The global is what wp_get_current_user() answers once the user is known.
		$user    = $GLOBALS['current_user'] ?? null;
		$user_id = $user instanceof \WP_User ? (int) $user->ID : get_current_user_id();
		if ( self::$user_id !== $user_id ) {
			self::reset();
			self::$user_id = $user_id;
		}
		return $user_id;
	}

	/**
	 * True when the current user passes every rule (taggate_bypass).
	 *
	 * @return bool
	 */
	public static function bypass() {
		$user_id = self::user_id();
		if ( null === self::$bypass ) {
			self::$bypass = $user_id > 0 && current_user_can( self::BYPASS_CAP );
		}
		return self::$bypass;
	}

	/**
	 * The current user's tag set, loaded once per request; null when rules
	 * must deny (logged out, extension missing, tags unreadable).
	 *
	 * @return \TagGate\TagSet|null
	 */
	public static function tag_set() {
		$user_id = self::user_id();
		if ( false !== self::$tags ) {
			return self::$tags;
		}
		self::$tags = null;
		if ( $user_id <= 0 || ! Plugin::extension_loaded() ) {
			return null;
		}
		try {
			$tags = Gate_Tags::load( $user_id );
			if ( is_array( $tags ) ) {
				self::$tags = new \TagGate\TagSet( self::tag_array( $tags ) );
			}
		} catch ( \Throwable $e ) {
			// A tag set that cannot be built denies: dropping a tag could let `not x` pass.
			self::$tags = null;
		}
		return self::$tags;
	}

	/**
	 * The array form TagSet reads (int or null values keyed by tag) of tag =>
	 * applied_at. The tag store and its snapshot hold ints already, so this
	 * only checks, and converts only an array that needs it (a string value
	 * would otherwise be read as a tag of its own).
	 *
	 * @param array $tags Tag => applied_at (int, numeric string or null).
	 * @return array<string|int, int|null>
	 */
	private static function tag_array( array $tags ) {
		foreach ( $tags as $applied_at ) {
			if ( ! is_int( $applied_at ) && null !== $applied_at ) {
				return array_map(
					static function ( $value ) {
						return is_int( $value ) || null === $value ? $value : ( is_numeric( $value ) ? (int) $value : null );
					},
					$tags
				);
			}
		}
		return $tags;
	}

	/**
	 * Whether the current user may edit any post (such users are not served
	 * redacted post objects, which they could save back).
	 *
	 * @return bool
	 */
	private static function user_can_edit_posts() {
		$user_id = self::user_id();
		if ( null === self::$can_edit_posts ) {
			self::$can_edit_posts = $user_id > 0 && current_user_can( 'edit_posts' );
		}
		return self::$can_edit_posts;
	}

	/**
	 * Tags changed: when they are the current user's, forget the tag set.
	 *
	 * @param int $user_id The user whose tags changed.
	 */
	public static function on_tags_changed( $user_id ) {
		if ( (int) $user_id === get_current_user_id() ) {
			self::reset();
		}
	}

	/**
	 * A rule changed: forget the decisions that may depend on it.
	 *
	 * @param int|int[] $meta_ids  Meta id(s).
	 * @param int       $object_id Post id.
	 * @param string    $meta_key  Meta key.
	 */
	public static function on_meta_changed( $meta_ids, $object_id, $meta_key ) {
		if ( self::META === $meta_key ) {
			unset( self::$decisions[ (int) $object_id ] );
			self::$denied_ids = null;
		}
	}

	/*
	 * ------------------------------------------------------------------
	 * Decisions.
	 * ------------------------------------------------------------------
	 */

	/**
	 * The rule source of a post ('' when public or not of a gated type).
	 *
	 * @param object $post A post (WP_Post or a row of wp_posts).
	 * @return string
	 */
	public static function post_rule( $post ) {
		if ( ! is_object( $post ) || empty( $post->ID ) || ! Gate_Config::is_gated_type( $post->post_type ?? '' ) ) {
			return '';
		}
		// The meta cache is primed (by WP_Query, or by decide()): read it directly.
		$meta = wp_cache_get( (int) $post->ID, 'post_meta' );
		if ( is_array( $meta ) ) {
			$rule = isset( $meta[ self::META ][0] ) ? maybe_unserialize( $meta[ self::META ][0] ) : '';
			return is_string( $rule ) ? trim( $rule ) : '';
		}
		$rule = get_post_meta( (int) $post->ID, self::META, true );
		return is_string( $rule ) ? trim( $rule ) : '';
	}

	/**
	 * Decides, in one batch, every post of the list not yet decided.
	 *
	 * @param object[] $posts Posts (WP_Post or rows of wp_posts).
	 */
	public static function decide( array $posts ) {
		self::user_id();
		$pending = array();
		foreach ( $posts as $post ) {
			if ( ! is_object( $post ) || empty( $post->ID ) || isset( self::$decisions[ (int) $post->ID ] ) ) {
				continue;
			}
			if ( ! Gate_Config::is_gated_type( $post->post_type ?? '' ) ) {
				// Templates, menus, attachments…: never gated, and their meta is not read.
				self::$decisions[ (int) $post->ID ] = true;
				continue;
			}
			$pending[ (int) $post->ID ] = $post;
		}
		if ( ! $pending ) {
			return;
		}
		if ( self::bypass() && ! has_filter( 'taggate_user_can_access' ) ) {
			// Bypass passes everything: no rule needs reading.
			foreach ( $pending as $id => $post ) {
				self::$decisions[ $id ] = true;
			}
			return;
		}

		// The rules, from the post meta cache (WP_Query has usually primed it);
		// one query for the posts whose meta is not cached yet.
		$metas   = wp_cache_get_multiple( array_keys( $pending ), 'post_meta' );
		$missing = array_keys( $metas, false, true );
		if ( $missing ) {
			update_meta_cache( 'post', $missing );
			$metas = array_replace( $metas, wp_cache_get_multiple( $missing, 'post_meta' ) );
		}
		$rules = array();
		foreach ( $pending as $id => $post ) {
			$rule = '';
			if ( isset( $metas[ $id ][ self::META ][0] ) ) {
				$rule = maybe_unserialize( $metas[ $id ][ self::META ][0] );
				$rule = is_string( $rule ) ? trim( $rule ) : '';
			}
			if ( '' === $rule ) {
				self::$decisions[ $id ] = true;
			} else {
				$rules[ $id ] = $rule;
			}
		}
		if ( ! $rules ) {
			return;
		}

		self::record( $rules );
	}

	/**
	 * Decides posts whose rules are known (bypass, or one taggate_filter()
	 * call), applies `taggate_user_can_access`, and caches the decisions.
	 *
	 * @param array<int, string> $rules Post id => rule source.
	 * @return int[] The ids denied.
	 */
	private static function record( array $rules ) {
		$results  = self::bypass() ? array_fill_keys( array_keys( $rules ), true ) : self::evaluate_many( $rules );
		$filtered = has_filter( 'taggate_user_can_access' );
		$denied   = array();
		foreach ( $results as $id => $allowed ) {
			if ( $filtered ) {
				/**
				 * Filters whether a user may read a protected post.
				 *
				 * Runs only for posts that carry a rule. Returning true for a user
				 * who did not pass opens the post to them on every surface.
				 *
				 * @param bool     $allowed Whether the user passes the post's rule.
				 * @param \WP_Post $post    The post.
				 * @param int      $user_id The user (0 for a visitor).
				 * @param string   $rule    The post's rule.
				 */
				$allowed = apply_filters( 'taggate_user_can_access', $allowed, get_post( $id ), (int) self::$user_id, $rules[ $id ] );
			}
			self::$decisions[ $id ] = (bool) $allowed;
			if ( ! $allowed ) {
				$denied[] = (int) $id;
			}
		}
		return $denied;
	}

	/**
	 * Evaluates many rules for the current user with one taggate_filter()
	 * call. Anything that goes wrong denies.
	 *
	 * @param array<int|string, string> $rules Key => rule source.
	 * @return array<int|string, bool>
	 */
	private static function evaluate_many( array $rules ) {
		$tags = self::tag_set();
		if ( null === $tags ) {
			return array_fill_keys( array_keys( $rules ), false );
		}
		try {
			$results = taggate_filter( $rules, $tags );
			$out     = array();
			foreach ( $rules as $key => $rule ) {
				$out[ $key ] = isset( $results[ $key ] ) && true === $results[ $key ];
			}
			return $out;
		} catch ( \Throwable $e ) {
			// One rule is invalid: decide them one by one, so that only it denies.
			$out = array();
			foreach ( $rules as $key => $rule ) {
				$out[ $key ] = self::evaluate( $rule, $tags );
			}
			return $out;
		}
	}

	/**
	 * Evaluates one rule against a tag set; false when it does not compile.
	 *
	 * @param string          $rule Rule source.
	 * @param \TagGate\TagSet $tags Tag set.
	 * @return bool
	 */
	private static function evaluate( $rule, $tags ) {
		try {
			return true === \TagGate\Rule::compile( $rule )->matches( $tags );
		} catch ( \Throwable $e ) {
			return false;
		}
	}

	/**
	 * Whether the current user may read a post. Posts without a rule, and
	 * posts of types that are not gated, are public.
	 *
	 * @param int|\WP_Post|object|null $post Post, id, or null for the global post.
	 * @return bool
	 */
	public static function can_read( $post = null ) {
		if ( null === $post || is_numeric( $post ) ) {
			$post = get_post( $post );
		}
		if ( ! is_object( $post ) || empty( $post->ID ) ) {
			return true;
		}
		self::user_id();
		$id = (int) $post->ID;
		if ( ! isset( self::$decisions[ $id ] ) ) {
			self::decide( array( $post ) );
		}
		return self::$decisions[ $id ] ?? false;
	}

	/**
	 * Whether the current user passes a rule (the shortcode and the block).
	 * Visitors never pass; bypass users always do; an invalid or empty rule
	 * denies.
	 *
	 * @param string $rule    Rule source.
	 * @param string $context Where it is asked: 'shortcode' or 'block'.
	 * @return bool
	 */
	public static function passes( $rule, $context = 'shortcode' ) {
		$rule    = trim( (string) $rule );
		$user_id = self::user_id();
		if ( ! isset( self::$rule_results[ $rule ] ) ) {
			if ( self::bypass() ) {
				$passes = true;
			} elseif ( '' === $rule ) {
				$passes = false;
			} else {
				$tags   = self::tag_set();
				$passes = null !== $tags && self::evaluate( $rule, $tags );
			}
			self::$rule_results[ $rule ] = $passes;
		}
		/**
		 * Filters whether the current user passes a rule written in content
		 * (the [taggate] shortcode or the TagGate block).
		 *
		 * @param bool   $passes  Whether the user passes.
		 * @param string $rule    The rule.
		 * @param int    $user_id The user (0 for a visitor).
		 * @param string $context 'shortcode' or 'block'.
		 */
		return (bool) apply_filters( 'taggate_rule_passes', self::$rule_results[ $rule ], $rule, $user_id, $context );
	}

	/**
	 * The ids of every gated post the current user may not read, computed
	 * once per request (used by search and by comment queries).
	 *
	 * @return int[]
	 */
	public static function denied_ids() {
		global $wpdb;
		self::user_id();
		if ( null !== self::$denied_ids ) {
			return self::$denied_ids;
		}
		self::$denied_ids = array();
		$types            = Gate_Config::post_types();
		if ( ! $types || ( self::bypass() && ! has_filter( 'taggate_user_can_access' ) ) ) {
			return self::$denied_ids;
		}
		$placeholders = implode( ', ', array_fill( 0, count( $types ), '%s' ) );
		// phpcs:ignore WordPress.DB.DirectDatabaseQuery -- one indexed query per request, cached in memory.
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare -- the placeholders are built above.
				"SELECT pm.post_id, pm.meta_value FROM {$wpdb->postmeta} pm INNER JOIN {$wpdb->posts} p ON p.ID = pm.post_id WHERE pm.meta_key = %s AND pm.meta_value <> '' AND p.post_type IN ($placeholders)",
				array_merge( array( self::META ), $types )
			)
		);
		$rules = array();
		foreach ( (array) $rows as $row ) {
			$id   = (int) $row->post_id;
			$rule = trim( (string) $row->meta_value );
			if ( '' === $rule ) {
				continue;
			}
			if ( ! isset( self::$decisions[ $id ] ) ) {
				$rules[ $id ] = $rule;
			} elseif ( ! self::$decisions[ $id ] ) {
				self::$denied_ids[] = $id;
			}
		}
		if ( $rules ) {
			self::$denied_ids = array_merge( self::$denied_ids, self::record( $rules ) );
		}
		sort( self::$denied_ids );
		return self::$denied_ids;
	}

	/*
	 * ------------------------------------------------------------------
	 * What the user sees instead.
	 * ------------------------------------------------------------------
	 */

	/**
	 * The HTML shown in place of a post's content.
	 *
	 * @param \WP_Post|object|null $post The post.
	 * @return string
	 */
	public static function denied_html( $post = null ) {
		$post    = $post ? get_post( $post ) : get_post();
		$message = wpautop( wp_kses_post( Gate_Config::denied_message() ) );
		$html    = '<div class="taggate-locked">' . $message;
		if ( ! is_user_logged_in() ) {
			$back  = $post ? get_permalink( $post ) : home_url( '/' );
			$html .= '<p class="taggate-login"><a href="' . esc_url( wp_login_url( $back ? $back : '' ) ) . '">' . esc_html__( 'Log in to see it', 'taggate' ) . '</a></p>';
		}
		$html .= '</div>';
		/**
		 * Filters the HTML shown in place of a post the user may not read.
		 *
		 * @param string        $html    The message (escaped HTML).
		 * @param \WP_Post|null $post    The post.
		 * @param int           $user_id The user (0 for a visitor).
		 */
		return (string) apply_filters( 'taggate_denied_message', $html, $post, get_current_user_id() );
	}

	/**
	 * The plain text shown in place of an excerpt.
	 *
	 * @param \WP_Post|object|null $post The post.
	 * @return string
	 */
	public static function denied_text( $post = null ) {
		$text = trim( wp_strip_all_tags( Gate_Config::denied_message() ) );
		/**
		 * Filters the text shown in place of the excerpt of a post the user may not read.
		 *
		 * @param string        $text The text (not escaped).
		 * @param \WP_Post|null $post The post.
		 */
		return (string) apply_filters( 'taggate_denied_excerpt', $text, $post ? get_post( $post ) : get_post() );
	}

	/*
	 * ------------------------------------------------------------------
	 * Filters.
	 * ------------------------------------------------------------------
	 */

	/**
	 * `the_posts`: decides the list in one batch; for users who cannot edit
	 * posts, replaces the content of the posts they may not read, so that
	 * code reading `$post->post_content` directly gets the message too.
	 *
	 * @param array     $posts Posts.
	 * @param \WP_Query $query The query.
	 * @return array
	 */
	public static function filter_the_posts( $posts, $query = null ) {
		if ( ! is_array( $posts ) || ! $posts ) {
			return $posts;
		}
		self::decide( $posts );
		if ( self::bypass() ) {
			return $posts;
		}
		foreach ( $posts as $post ) {
			if ( ! is_object( $post ) || empty( $post->ID ) ) {
				continue;
			}
			$id = (int) $post->ID;
			if ( self::$decisions[ $id ] ?? true ) {
				// Readable: resolve the partial gates in the stored text as well.
				if ( ! isset( $post->post_content ) || ! is_string( $post->post_content ) || ! ( Shortcode::mentions( $post->post_content ) || Block::mentioned_in( $post->post_content ) ) ) {
					self::$plain[ $id ] = true;
				} elseif ( ! self::may_edit( $id ) ) {
					$post->post_content = Shortcode::resolve( Block::resolve( $post->post_content ) );
				}
				continue;
			}
			if ( ! self::may_edit( $id ) ) {
				$post->post_content = self::denied_html( $post );
				$post->post_excerpt = self::denied_text( $post );
			}
		}
		return $posts;
	}

	/**
	 * Whether the current user may edit this post (and so must be given the
	 * real post object, which the editor may save back).
	 *
	 * @param int $post_id Post id.
	 * @return bool
	 */
	private static function may_edit( $post_id ) {
		return self::user_can_edit_posts() && current_user_can( 'edit_post', $post_id );
	}

	/**
	 * True when the post is one the current user may read and whose content
	 * holds no partial gate (decided in `the_posts`): the display filters'
	 * fast path, run for every post on every list, so kept to one call.
	 *
	 * @param mixed $post A post.
	 * @return bool
	 */
	private static function is_open( $post ) {
		$user = $GLOBALS['current_user'] ?? null;
		return $post instanceof \WP_Post && isset( self::$plain[ $post->ID ] ) && true === ( self::$decisions[ $post->ID ] ?? null )
			&& $user instanceof \WP_User && self::$user_id === $user->ID;
	}

	/**
	 * `the_content` at priority 0: the message in place of a post the user
	 * may not read (so its blocks and shortcodes are never rendered), else
	 * the content with its [taggate] parts resolved (before blocks at 9 and
	 * shortcodes at 11).
	 *
	 * @param string $content Content.
	 * @return string
	 */
	public static function filter_content_early( $content ) {
		$post = isset( $GLOBALS['post'] ) && $GLOBALS['post'] instanceof \WP_Post ? $GLOBALS['post'] : get_post();
		if ( $post && ! self::is_open( $post ) && ! self::can_read( $post ) ) {
			return self::denied_html( $post );
		}
		// The content filtered need not be the post's: resolve [taggate] in it.
		return Shortcode::resolve( $content );
	}

	/**
	 * `the_content` (last), `the_content_feed`: the message in place of a
	 * post the user may not read.
	 *
	 * @param string $content Content.
	 * @return string
	 */
	public static function filter_content( $content ) {
		$post = isset( $GLOBALS['post'] ) && $GLOBALS['post'] instanceof \WP_Post ? $GLOBALS['post'] : get_post();
		if ( $post && ! self::is_open( $post ) && ! self::can_read( $post ) ) {
			return self::denied_html( $post );
		}
		return $content;
	}

	/**
	 * `content_pagination`: the pages of a post the user may not read (what
	 * get_the_content() and so the automatic excerpt are made of).
	 *
	 * @param string[] $pages Pages.
	 * @param \WP_Post $post  The post.
	 * @return string[]
	 */
	public static function filter_pages( $pages, $post ) {
		if ( self::is_open( $post ) ) {
			return $pages;
		}
		if ( $post && ! self::can_read( $post ) ) {
			return array( self::denied_html( $post ) );
		}
		if ( $post && isset( self::$plain[ (int) $post->ID ] ) ) {
			return $pages;
		}
		// Partial gates, resolved here too (one callback per post, not two).
		return Shortcode::resolve_pages( $pages );
	}

	/**
	 * `get_the_excerpt`.
	 *
	 * @param string            $excerpt Excerpt.
	 * @param \WP_Post|int|null $post    The post.
	 * @return string
	 */
	public static function filter_excerpt( $excerpt, $post = null ) {
		if ( self::is_open( $post ) ) {
			return $excerpt;
		}
		$post = get_post( $post );
		if ( $post && ! self::can_read( $post ) ) {
			return self::denied_text( $post );
		}
		return $excerpt;
	}

	/**
	 * `the_excerpt_rss`, `the_excerpt_embed`: the global post's excerpt.
	 *
	 * @param string $excerpt Excerpt.
	 * @return string
	 */
	public static function filter_excerpt_text( $excerpt ) {
		$post = get_post();
		if ( $post && ! self::can_read( $post ) ) {
			return esc_html( self::denied_text( $post ) );
		}
		return $excerpt;
	}

	/**
	 * `posts_where`: a search leaves out the posts the user may not read, so
	 * that it cannot tell which protected post holds a word.
	 *
	 * @param string    $where WHERE clause.
	 * @param \WP_Query $query The query.
	 * @return string
	 */
	public static function filter_search_where( $where, $query ) {
		global $wpdb;
		if ( ! ( $query instanceof \WP_Query ) || ! $query->is_search() ) {
			return $where;
		}
		// Editors search the whole site from wp-admin and the block editor.
		if ( self::user_id() > 0 && current_user_can( 'edit_others_posts' ) ) {
			return $where;
		}
		$ids = self::denied_ids();
		if ( $ids ) {
			$where .= " AND {$wpdb->posts}.ID NOT IN (" . implode( ',', array_map( 'intval', $ids ) ) . ')';
		}
		return $where;
	}

	/**
	 * True when comment queries are left alone: bypass users, and moderators
	 * working in wp-admin.
	 *
	 * @return bool
	 */
	private static function comments_unfiltered() {
		if ( self::bypass() ) {
			return true;
		}
		return is_admin() && ! wp_doing_ajax() && current_user_can( 'moderate_comments' );
	}

	/**
	 * `comments_clauses`: comment queries (lists, widgets, REST) leave out the
	 * comments of posts the user may not read.
	 *
	 * @param array              $clauses Clauses.
	 * @param \WP_Comment_Query $query   The query.
	 * @return array
	 */
	public static function filter_comment_clauses( $clauses, $query = null ) {
		global $wpdb;
		if ( self::comments_unfiltered() ) {
			return $clauses;
		}
		$ids = self::denied_ids();
		if ( $ids ) {
			$clauses['where'] = ( '' === trim( (string) $clauses['where'] ) ? '1=1' : $clauses['where'] )
				. " AND {$wpdb->comments}.comment_post_ID NOT IN (" . implode( ',', array_map( 'intval', $ids ) ) . ')';
		}
		return $clauses;
	}

	/**
	 * `comment_feed_where`: comment feeds leave out the comments of posts the
	 * user may not read.
	 *
	 * @param string $where WHERE clause.
	 * @return string
	 */
	public static function filter_comment_feed_where( $where ) {
		global $wpdb;
		if ( self::bypass() ) {
			return $where;
		}
		$ids = self::denied_ids();
		if ( $ids ) {
			$where .= " AND {$wpdb->comments}.comment_post_ID NOT IN (" . implode( ',', array_map( 'intval', $ids ) ) . ')';
		}
		return $where;
	}

	/**
	 * `comments_array`: the comment template shows none.
	 *
	 * @param array $comments Comments.
	 * @param int   $post_id  Post id.
	 * @return array
	 */
	public static function filter_comments_array( $comments, $post_id ) {
		return self::can_read( (int) $post_id ) ? $comments : array();
	}

	/**
	 * `get_comment_text`: the last line of defence for any comment shown.
	 *
	 * @param string           $text    Text.
	 * @param \WP_Comment|null $comment Comment.
	 * @return string
	 */
	public static function filter_comment_text( $text, $comment = null ) {
		if ( $comment instanceof \WP_Comment && ! self::comments_unfiltered() && ! self::can_read( (int) $comment->comment_post_ID ) ) {
			return '';
		}
		return $text;
	}

	/**
	 * `get_comments_number`.
	 *
	 * @param int|string $count   Count.
	 * @param int        $post_id Post id.
	 * @return int|string
	 */
	public static function filter_comments_number( $count, $post_id ) {
		return self::can_read( (int) $post_id ) ? $count : 0;
	}

	/**
	 * `comments_open`, `pings_open`: closed for those who may not read.
	 *
	 * @param bool $open    Open.
	 * @param int  $post_id Post id.
	 * @return bool
	 */
	public static function filter_comments_open( $open, $post_id ) {
		return $open && self::can_read( (int) $post_id );
	}

	/**
	 * `pre_comment_on_post`: a comment on a post the user may not read is refused.
	 *
	 * @param int $post_id Post id.
	 */
	public static function refuse_comment( $post_id ) {
		if ( ! self::can_read( (int) $post_id ) ) {
			wp_die(
				esc_html__( 'Sorry, you may not comment on this item.', 'taggate' ),
				esc_html__( 'Comment refused', 'taggate' ),
				array(
					'response'  => 403,
					'back_link' => true,
				)
			);
		}
	}

	/**
	 * `rest_pre_insert_comment`: the same through the REST API.
	 *
	 * @param array|\WP_Error  $prepared Prepared comment.
	 * @param \WP_REST_Request $request  Request.
	 * @return array|\WP_Error
	 */
	public static function filter_rest_insert_comment( $prepared, $request ) {
		if ( is_array( $prepared ) && ! empty( $prepared['comment_post_ID'] ) && ! self::can_read( (int) $prepared['comment_post_ID'] ) ) {
			return new \WP_Error(
				'taggate_comment_refused',
				__( 'Sorry, you may not comment on this item.', 'taggate' ),
				array( 'status' => is_user_logged_in() ? 403 : 401 )
			);
		}
		return $prepared;
	}

	/**
	 * `rest_prepare_comment`: a comment of a post the user may not read is
	 * not served (the collection never holds one; this guards the single route).
	 *
	 * @param \WP_REST_Response $response Response.
	 * @param \WP_Comment       $comment  Comment.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function filter_rest_comment( $response, $comment ) {
		if ( $comment instanceof \WP_Comment && ! self::comments_unfiltered() && ! self::can_read( (int) $comment->comment_post_ID ) ) {
			return new \WP_Error(
				'rest_comment_invalid_id',
				__( 'Invalid comment ID.', 'taggate' ),
				array( 'status' => 404 )
			);
		}
		return $response;
	}

	/**
	 * Adds the REST response filter to every gated post type.
	 */
	public static function register_rest_filters() {
		foreach ( Gate_Config::post_types() as $type ) {
			add_filter( 'rest_prepare_' . $type, array( __CLASS__, 'filter_rest_post' ), PHP_INT_MAX, 3 );
		}
	}

	/**
	 * `rest_prepare_{type}`: content and excerpt of a post the user may not
	 * read are the message (the edit context needs edit rights and is left).
	 *
	 * @param \WP_REST_Response $response Response.
	 * @param \WP_Post          $post     Post.
	 * @param \WP_REST_Request  $request  Request.
	 * @return \WP_REST_Response
	 */
	public static function filter_rest_post( $response, $post, $request ) {
		if ( ! ( $response instanceof \WP_REST_Response ) || ! $post || self::can_read( $post ) ) {
			return $response;
		}
		$context = $request instanceof \WP_REST_Request && ! empty( $request['context'] ) ? $request['context'] : 'view';
		if ( 'edit' === $context && current_user_can( 'edit_post', $post->ID ) ) {
			return $response;
		}
		$data = $response->get_data();
		if ( isset( $data['content'] ) && is_array( $data['content'] ) ) {
			$data['content']['rendered'] = self::denied_html( $post );
			unset( $data['content']['raw'] );
		}
		if ( isset( $data['excerpt'] ) && is_array( $data['excerpt'] ) ) {
			$data['excerpt']['rendered'] = wpautop( esc_html( self::denied_text( $post ) ) );
			unset( $data['excerpt']['raw'] );
		}
		$data['taggate_locked'] = true;
		$response->set_data( $data );
		return $response;
	}

	/**
	 * `template_redirect`: the single view of a post the user may not read
	 * goes to the configured local URL, if any. Protected posts are never
	 * cached by the browser or a shared cache.
	 */
	public static function template_redirect() {
		if ( ! is_singular() || is_feed() ) {
			return;
		}
		$post = get_queried_object();
		if ( ! ( $post instanceof \WP_Post ) || '' === self::post_rule( $post ) ) {
			return;
		}
		nocache_headers();
		if ( self::can_read( $post ) || is_embed() ) {
			return;
		}
		$redirect = Gate_Config::denied_redirect();
		/**
		 * Filters where a user who may not read a post is sent ('' shows the
		 * message instead). The URL is validated: only this site's hosts pass.
		 *
		 * @param string   $redirect URL or ''.
		 * @param \WP_Post $post     The post.
		 */
		$redirect = (string) apply_filters( 'taggate_denied_redirect', $redirect, $post );
		if ( '' === $redirect ) {
			return;
		}
		$redirect = wp_validate_redirect( $redirect, '' );
		if ( '' === $redirect || untrailingslashit( $redirect ) === untrailingslashit( (string) get_permalink( $post ) ) ) {
			return;
		}
		if ( ! is_user_logged_in() ) {
			$redirect = add_query_arg( 'redirect_to', rawurlencode( (string) get_permalink( $post ) ), $redirect );
		}
		if ( wp_safe_redirect( $redirect, 302, 'TagGate' ) ) {
			exit;
		}
	}
}
