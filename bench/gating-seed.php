<?php
/**
 * Seeds the gating benchmark (run by bench/gating.sh, as the web user, in the
 * CLI PHP with the extension): a category "taggate-bench" of 50 protected
 * posts, each with a rule of 5 to 10 tags, and a subscriber holding 200 tags
 * who passes every rule (so that both runs render the same 50 excerpts and the
 * difference is the cost of gating alone), plus a second subscriber who passes
 * half of them. Idempotent; prints JSON.
 *
 * @package TagGate
 */

// phpcs:disable WordPress.Security.EscapeOutput, WordPress.WP.AlternativeFunctions

if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}
$www                    = getenv( 'TAGGATE_STACK_WWW' );
$_SERVER['HTTP_HOST']   = '127.0.0.1:' . ( getenv( 'TAGGATE_STACK_PORT' ) ?: '8080' );
$_SERVER['REQUEST_URI'] = '/';
require $www . '/wp-load.php';

$term = get_term_by( 'slug', 'taggate-bench', 'category' );
if ( ! $term ) {
	$made = wp_insert_term( 'TagGate bench', 'category', array( 'slug' => 'taggate-bench' ) );
	$term = get_term( $made['term_id'], 'category' );
}

$paragraph = 'Lesson text for the benchmark. It is long enough for a real excerpt: WordPress trims it to fifty-five words, '
	. 'runs it through the_content, removes the blocks and the shortcodes, and prints it under the title in the archive. ';
$existing  = get_posts(
	array(
		'post_type'      => 'post',
		'posts_per_page' => -1,
		'fields'         => 'ids',
		'meta_key'       => '_taggate_bench', // phpcs:ignore WordPress.DB.SlowDBQuery
		'meta_value'     => '1', // phpcs:ignore WordPress.DB.SlowDBQuery
	)
);
for ( $i = count( $existing ); $i < 50; $i++ ) {
	$n    = $i + 1;
	$a    = sprintf( 'tag-%03d', 1 + ( $i * 7 ) % 200 );
	$b    = sprintf( 'tag-%03d', 1 + ( $i * 13 + 5 ) % 200 );
	$c    = sprintf( 'tag-%03d', 1 + ( $i * 17 + 11 ) % 200 );
	$d    = sprintf( 'tag-%03d', 1 + ( $i * 19 + 23 ) % 200 );
	$rule = 0 === $i % 2
		? "any($a, tag-999, gold) and all($b, $c) and none(refunded, revoked, chargeback)"
		: "($d for 7d or vip) and atleast(2, $a, $b, $c, silver) and not refunded";
	$content = '';
	for ( $p = 0; $p < 4; $p++ ) {
		$content .= "<!-- wp:paragraph -->\n<p>" . esc_html( str_repeat( $paragraph, 2 ) ) . "</p>\n<!-- /wp:paragraph -->\n\n";
	}
	$id = wp_insert_post(
		array(
			'post_title'    => "Bench lesson $n",
			'post_content'  => $content,
			'post_status'   => 'publish',
			'post_category' => array( (int) $term->term_id ),
			'post_date'     => gmdate( 'Y-m-d H:i:s', time() - 86400 * 400 + $n * 60 ),
		),
		true
	);
	if ( is_wp_error( $id ) ) {
		fwrite( STDERR, $id->get_error_message() . "\n" );
		exit( 1 );
	}
	update_post_meta( $id, '_taggate_rule', $rule );
	update_post_meta( $id, '_taggate_bench', '1' );
}

$users = array();
foreach ( array( 'member' => 200, 'half' => 100 ) as $who => $count ) {
	$login = 'taggate_bench_' . $who;
	$user  = get_user_by( 'login', $login );
	$pass  = wp_generate_password( 24, false );
	if ( ! $user ) {
		$id   = wp_insert_user(
			array(
				'user_login' => $login,
				'user_email' => $login . '@bench.example.test',
				'user_pass'  => $pass,
				'role'       => 'subscriber',
			)
		);
		$user = get_user_by( 'id', $id );
	} else {
		wp_set_password( $pass, $user->ID );
	}
	$tags = array();
	$step = 200 / $count;
	for ( $t = 0; $t < 200; $t += $step ) {
		$tags[ sprintf( 'tag-%03d', (int) $t + 1 ) ] = time() - 30 * 86400;
	}
	// Cleared first so that the change is real (a webhook would do the same).
	\TagGate\WP\Tag_Store::clear( $user->ID, 'bench' );
	\TagGate\WP\Tag_Store::set( $user->ID, $tags, 'bench' );
	$users[ $who ] = array(
		'login'    => $login,
		'password' => $pass,
		'tags'     => count( taggate_get_user_tags( $user->ID ) ),
	);
}

echo wp_json_encode(
	array(
		'archive' => wp_make_link_relative( get_term_link( $term ) ),
		'posts'   => 50,
		'users'   => $users,
	)
), "\n";
