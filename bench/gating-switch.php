<?php
/**
 * Plugin Name: TagGate benchmark switch (bench/gating.sh only)
 * Description: Copied into mu-plugins by bench/gating.sh for the length of a
 *              run and removed afterwards. A request carrying the header
 *              `X-TagGate-Bench: <token>:off` is served with the TagGate
 *              plugin not loaded at all (as if it were deactivated);
 *              `<token>:on` with it loaded as usual. The token is random per
 *              run (a file beside the stack), so nobody else can switch it.
 *              Both modes list 50 posts on the benchmark's category archive.
 *
 * @package TagGate
 */

defined( 'ABSPATH' ) || exit;

( static function () {
	$header = isset( $_SERVER['HTTP_X_TAGGATE_BENCH'] ) ? (string) $_SERVER['HTTP_X_TAGGATE_BENCH'] : '';
	$file   = dirname( WP_CONTENT_DIR, 2 ) . '/taggate-bench.token';
	if ( '' === $header || ! is_readable( $file ) ) {
		return;
	}
	$token = trim( (string) file_get_contents( $file ) );
	$parts = explode( ':', $header, 2 );
	if ( strlen( $token ) < 32 || 2 !== count( $parts ) || ! hash_equals( $token, $parts[0] ) ) {
		return;
	}
	$mode = 'off' === $parts[1] ? 'off' : 'on';
	if ( 'off' === $mode ) {
		add_filter(
			'option_active_plugins',
			static function ( $plugins ) {
				return array_values( array_diff( (array) $plugins, array( 'taggate/taggate.php' ) ) );
			}
		);
	}
	add_action(
		'pre_get_posts',
		static function ( $query ) {
			if ( $query->is_main_query() && $query->is_category( 'taggate-bench' ) ) {
				$query->set( 'posts_per_page', 50 );
			}
		}
	);
	// The PHP CPU time of the request (user + system, from here to the end of
	// the output), printed as an HTML comment at the end of the page: a second
	// figure, less disturbed than wall-clock time by other load on the machine.
	$usage = getrusage();
	ob_start(
		static function ( $html, $phase ) use ( $usage ) {
			if ( ! ( $phase & PHP_OUTPUT_HANDLER_FINAL ) ) {
				return $html;
			}
			$now = getrusage();
			$us  = ( $now['ru_utime.tv_sec'] - $usage['ru_utime.tv_sec'] ) * 1000000 + ( $now['ru_utime.tv_usec'] - $usage['ru_utime.tv_usec'] )
				+ ( $now['ru_stime.tv_sec'] - $usage['ru_stime.tv_sec'] ) * 1000000 + ( $now['ru_stime.tv_usec'] - $usage['ru_stime.tv_usec'] );
			return $html . '<!-- taggate-bench cpu_us=' . (int) $us . ' pid=' . getmypid() . ' -->';
		}
	);
	add_action(
		'send_headers',
		static function () use ( $mode ) {
			header( 'X-TagGate-Bench-Mode: ' . $mode . ( did_action( 'taggate_loaded' ) ? '+loaded' : '+absent' ) );
		}
	);
} )();
