<?php
/**
 * Tools → TagGate rule tester: a rule and a set of tags in; whether the tags
 * pass, the canonical form, the tags the rule names, or the error and its
 * position out. Needs edit_posts (those who write rules) and a nonce.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The rule tester.
 */
final class Admin_Rule_Tester {

	const SLUG  = 'taggate-rule-tester';
	const CAP   = 'edit_posts';
	const NONCE = 'taggate_rule_test';

	/**
	 * The page's hook suffix.
	 *
	 * @var string
	 */
	private static $hook = '';

	/**
	 * The submitted form and its result (set on load, before any output).
	 *
	 * @var array{rule:string,tags:string,when:string,result:?array}
	 */
	private static $state = array(
		'rule'   => '',
		'tags'   => '',
		'when'   => '',
		'result' => null,
	);

	/**
	 * Adds the hooks.
	 */
	public static function register() {
		if ( ! is_admin() ) {
			return; // wp-admin screens only (admin-post.php and admin-ajax.php included).
		}
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_enqueue_scripts', array( __CLASS__, 'enqueue' ) );
	}

	/**
	 * Adds the page under Tools.
	 */
	public static function menu() {
		self::$hook = (string) add_management_page(
			__( 'TagGate rule tester', 'taggate' ),
			__( 'TagGate rule tester', 'taggate' ),
			self::CAP,
			self::SLUG,
			array( __CLASS__, 'render' )
		);
		if ( '' !== self::$hook ) {
			add_action( 'load-' . self::$hook, array( __CLASS__, 'handle' ) );
		}
	}

	/**
	 * Handles the form before the page prints anything (so that a failed
	 * nonce check can answer 403).
	 */
	public static function handle() {
		if ( ! isset( $_POST['taggate_rule'] ) || ! current_user_can( self::CAP ) ) {
			return;
		}
		check_admin_referer( self::NONCE );
		$rule = trim( (string) wp_unslash( $_POST['taggate_rule'] ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- a rule, checked by the extension and escaped on output.
		$tags = isset( $_POST['taggate_tags'] ) ? (string) wp_unslash( $_POST['taggate_tags'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- tags, checked by the extension and escaped on output.
		$when = isset( $_POST['taggate_now'] ) ? sanitize_text_field( wp_unslash( $_POST['taggate_now'] ) ) : '';
		$now  = null;
		if ( '' !== $when ) {
			$parsed = preg_match( '/^-?\d+$/', $when ) ? (int) $when : strtotime( $when );
			$now    = false === $parsed ? null : $parsed;
		}
		self::$state = array(
			'rule'   => $rule,
			'tags'   => $tags,
			'when'   => $when,
			'result' => self::test( $rule, Gate_Rules::parse_tag_list( $tags ), $now ),
		);
	}

	/**
	 * The stylesheet, on this page only.
	 *
	 * @param string $hook_suffix Page.
	 */
	public static function enqueue( $hook_suffix ) {
		if ( '' !== self::$hook && self::$hook === $hook_suffix ) {
			Gate_Assets::enqueue_admin_style();
		}
	}

	/**
	 * Tests a rule against tags.
	 *
	 * @param string   $rule Rule.
	 * @param array    $tags Tag => applied_at.
	 * @param int|null $now  Time to evaluate at.
	 * @return array check (Gate_Rules::check) plus 'passes' (bool|null) and 'tag_error'.
	 */
	public static function test( $rule, array $tags, $now = null ) {
		$result              = Gate_Rules::check( $rule );
		$result['passes']    = null;
		$result['tag_error'] = '';
		if ( ! $result['valid'] ) {
			return $result;
		}
		try {
			$set              = new \TagGate\TagSet( $tags );
			$result['passes'] = \TagGate\Rule::compile( $rule )->matches( $set, $now );
		} catch ( \Throwable $e ) {
			$result['tag_error'] = $e->getMessage();
		}
		return $result;
	}

	/**
	 * Renders the page (and handles its form).
	 */
	public static function render() {
		if ( ! current_user_can( self::CAP ) ) {
			return;
		}
		$rule   = self::$state['rule'];
		$tags   = self::$state['tags'];
		$when   = self::$state['when'];
		$result = self::$state['result'];
		?>
		<div class="wrap taggate-rule-tester">
			<h1><?php esc_html_e( 'TagGate rule tester', 'taggate' ); ?></h1>
			<?php if ( ! Plugin::extension_loaded() ) : ?>
				<div class="notice notice-error inline"><p><?php echo esc_html( Admin_Notices::missing_extension_text() ); ?></p></div>
			<?php endif; ?>
			<p><?php esc_html_e( 'Try a rule against a set of tags before you put it on a post.', 'taggate' ); ?></p>
			<form method="post" action="">
				<?php wp_nonce_field( self::NONCE ); ?>
				<table class="form-table" role="presentation">
					<tr>
						<th scope="row"><label for="taggate-test-rule"><?php esc_html_e( 'Rule', 'taggate' ); ?></label></th>
						<td>
							<textarea id="taggate-test-rule" name="taggate_rule" rows="3" class="large-text code" spellcheck="false" placeholder="any(gold, silver) and none(refunded, revoked)"><?php echo esc_textarea( $rule ); ?></textarea>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="taggate-test-tags"><?php esc_html_e( 'Tags', 'taggate' ); ?></label></th>
						<td>
							<textarea id="taggate-test-tags" name="taggate_tags" rows="4" class="large-text code" spellcheck="false" placeholder="gold&#10;course-a=2025-01-01"><?php echo esc_textarea( $tags ); ?></textarea>
							<p class="description"><?php esc_html_e( 'One per line or separated by commas. For rules with "for", give the time a tag was applied after "=" (a date or Unix seconds); a tag without one counts as applied at time 0.', 'taggate' ); ?></p>
						</td>
					</tr>
					<tr>
						<th scope="row"><label for="taggate-test-now"><?php esc_html_e( 'At', 'taggate' ); ?></label></th>
						<td>
							<input type="text" id="taggate-test-now" name="taggate_now" class="regular-text" value="<?php echo esc_attr( $when ); ?>" placeholder="<?php esc_attr_e( 'now', 'taggate' ); ?>" />
							<p class="description"><?php esc_html_e( 'Optional: a date or Unix seconds to evaluate at.', 'taggate' ); ?></p>
						</td>
					</tr>
				</table>
				<?php submit_button( __( 'Test', 'taggate' ), 'primary', 'taggate-test' ); ?>
			</form>
			<?php
			if ( null !== $result ) {
				self::render_result( $rule, $result );
			}
			?>
		</div>
		<?php
	}

	/**
	 * Renders a result.
	 *
	 * @param string $rule   Rule.
	 * @param array  $result Result of test().
	 */
	private static function render_result( $rule, array $result ) {
		echo '<div class="taggate-card taggate-test-result">';
		echo '<h2>' . esc_html__( 'Result', 'taggate' ) . '</h2>';
		if ( ! $result['valid'] ) {
			$error = $result['error'];
			echo '<p class="taggate-result taggate-result--invalid"><strong>' . esc_html__( 'Invalid rule:', 'taggate' ) . '</strong> <span class="taggate-rule-error">' . esc_html( $error['message'] ) . '</span></p>';
			if ( $error['line'] > 0 ) {
				$lines = preg_split( '/\r\n|\r|\n/', $rule );
				$text  = $lines[ $error['line'] - 1 ] ?? '';
				$pad   = '';
				$chars = preg_split( '//u', $text, -1, PREG_SPLIT_NO_EMPTY );
				for ( $i = 0; $i < $error['column'] - 1; $i++ ) {
					$pad .= ( isset( $chars[ $i ] ) && "\t" === $chars[ $i ] ) ? "\t" : ' ';
				}
				echo '<pre class="taggate-rule-caret">' . esc_html( $text . "\n" . $pad . '^' ) . '</pre>';
			}
			echo '</div>';
			return;
		}
		if ( '' !== $result['tag_error'] ) {
			echo '<p class="taggate-result taggate-result--invalid"><strong>' . esc_html__( 'Invalid tags:', 'taggate' ) . '</strong> ' . esc_html( $result['tag_error'] ) . '</p>';
		} elseif ( $result['passes'] ) {
			echo '<p class="taggate-result taggate-result--pass"><strong>' . esc_html__( 'Passes', 'taggate' ) . '</strong> — ' . esc_html__( 'a logged-in user with these tags may read.', 'taggate' ) . '</p>';
		} else {
			echo '<p class="taggate-result taggate-result--fail"><strong>' . esc_html__( 'Does not pass', 'taggate' ) . '</strong> — ' . esc_html__( 'a user with these tags sees the denied message.', 'taggate' ) . '</p>';
		}
		echo '<p>' . esc_html__( 'Canonical form:', 'taggate' ) . ' <code class="taggate-rule-canonical">' . esc_html( $result['canonical'] ) . '</code></p>';
		if ( $result['tags'] ) {
			echo '<p>' . esc_html__( 'Tags the rule names:', 'taggate' ) . ' ';
			echo implode( ', ', array_map( static function ( $tag ) { return '<code>' . esc_html( $tag ) . '</code>'; }, $result['tags'] ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in the map.
			echo '</p>';
		}
		echo '</div>';
	}
}
