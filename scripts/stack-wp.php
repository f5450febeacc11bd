<?php
/**
 * Setup helper for the local stack (scripts/stack.sh wp <command> …): the
 * non-interactive WordPress install, plugin activation, settings, demo
 * content, and the few set-up steps the HTTP tests need (users with roles,
 * settings changes). It loads WordPress in the CLI PHP; what it sets up is
 * then exercised over HTTP only.
 *
 * Commands (each prints JSON on success, exits non-zero on failure):
 *   is-installed
 *   install <admin user> <admin password> <admin email>
 *   activate | deactivate | uninstall  (uninstall: deactivate, then the plugin's uninstall.php)
 *   configure key=value …              Settings::update (values: JSON when they parse, else strings)
 *   settings-set '<json object>'       Settings::update
 *   settings-get                       effective settings, secrets fingerprinted
 *   rotate <keep seconds>              rotate the webhook secret; prints the new one
 *   user-ensure <login> <email> <role> [first] [last]   create or update a user; prints its id
 *   user-delete <email>
 *   user-add-cap <email> <capability>  grant one capability to one user
 *   user-tags <email>                  taggate_get_user_tags
 *   user-tags-set <email> '<json>'     taggate tags exactly (for test set-up)
 *   cron                               run TagGate's daily maintenance now
 *   demo                               demo course, lessons and users (idempotent)
 *
 * @package TagGate
 */

// phpcs:disable WordPress.Security.EscapeOutput, WordPress.WP.AlternativeFunctions

if ( PHP_SAPI !== 'cli' ) {
	exit( 1 );
}

$www  = getenv( 'TAGGATE_STACK_WWW' ) ?: dirname( __DIR__ ) . '/.stack/www';
$port = getenv( 'TAGGATE_STACK_PORT' ) ?: '8080';
$argv = $_SERVER['argv'];
array_shift( $argv );
$cmd = (string) array_shift( $argv );

$_SERVER['HTTP_HOST']   = '127.0.0.1:' . $port;
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PORT'] = $port;

function taggate_cli_out( $data ) {
	echo json_encode( $data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ), "\n";
}

function taggate_cli_fail( $message ) {
	fwrite( STDERR, "stack-wp: $message\n" );
	exit( 1 );
}

if ( 'install' === $cmd || 'is-installed' === $cmd ) {
	define( 'WP_INSTALLING', true );
}
require $www . '/wp-load.php';

switch ( $cmd ) {
	case 'is-installed':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		wp_cache_flush();
		exit( is_blog_installed() ? 0 : 1 );

	case 'install':
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		list( $user, $pass, $email ) = array_pad( $argv, 3, '' );
		if ( ! is_blog_installed() ) {
			$result = wp_install( 'TagGate demo', $user, $email, true, '', wp_slash( $pass ) );
			if ( empty( $result['user_id'] ) ) {
				taggate_cli_fail( 'wp_install failed' );
			}
		}
		update_option( 'blogdescription', 'Access from CRM tags' );
		update_option( 'users_can_register', 0 );
		taggate_cli_permalinks();
		taggate_cli_out( array( 'installed' => true ) );
		break;

	case 'activate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		$result = activate_plugin( 'taggate/taggate.php' );
		if ( is_wp_error( $result ) ) {
			taggate_cli_fail( $result->get_error_message() );
		}
		\TagGate\WP\Installer::install_site();
		taggate_cli_permalinks();
		taggate_cli_out( array( 'active' => is_plugin_active( 'taggate/taggate.php' ) ) );
		break;

	case 'deactivate':
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( 'taggate/taggate.php' );
		taggate_cli_out( array( 'active' => is_plugin_active( 'taggate/taggate.php' ) ) );
		break;

	case 'uninstall':
		// What "Delete" on the Plugins screen does: deactivate, then uninstall.php.
		require_once ABSPATH . 'wp-admin/includes/plugin.php';
		deactivate_plugins( 'taggate/taggate.php', true );
		uninstall_plugin( 'taggate/taggate.php' );
		taggate_cli_out( array( 'uninstalled' => true ) );
		break;

	case 'configure':
	case 'settings-set':
		$values = array();
		if ( 'settings-set' === $cmd ) {
			$values = json_decode( (string) ( $argv[0] ?? '{}' ), true );
			if ( ! is_array( $values ) ) {
				taggate_cli_fail( 'settings-set needs a JSON object' );
			}
		} else {
			foreach ( $argv as $pair ) {
				list( $k, $v ) = array_pad( explode( '=', $pair, 2 ), 2, '' );
				$decoded       = json_decode( $v, true );
				$values[ $k ]  = ( null !== $decoded && ( is_array( $decoded ) || is_int( $decoded ) ) ) ? $decoded : $v;
			}
		}
		$result = \TagGate\WP\Settings::update( $values );
		if ( is_wp_error( $result ) ) {
			taggate_cli_fail( $result->get_error_message() . ' (' . wp_json_encode( $result->get_error_data() ) . ')' );
		}
		taggate_cli_out( array( 'updated' => array_keys( $values ) ) );
		break;

	case 'settings-get':
		$all = \TagGate\WP\Settings::all();
		foreach ( array( 'secret', 'previous_secret', 'kit_secret', 'crm_key' ) as $k ) {
			$all[ $k ] = \TagGate\WP\Settings::fingerprint( $all[ $k ] );
		}
		$all['allowed_roles_effective'] = \TagGate\WP\Settings::allowed_roles();
		$all['constants']               = array_values( array_filter( array_keys( \TagGate\WP\Settings::defaults() ), array( \TagGate\WP\Settings::class, 'is_constant' ) ) );
		$all['active_secrets']          = count( \TagGate\WP\Settings::secrets() );
		taggate_cli_out( $all );
		break;

	case 'rotate':
		$new = \TagGate\WP\Settings::rotate_secret( (int) ( $argv[0] ?? 0 ) );
		taggate_cli_out( array( 'secret' => $new ) );
		break;

	case 'user-ensure':
		list( $login, $email, $role, $first, $last ) = array_pad( $argv, 5, '' );
		$user = get_user_by( 'email', $email );
		$data = array(
			'user_login' => $login,
			'user_email' => $email,
			'role'       => $role,
			'first_name' => $first,
			'last_name'  => $last,
		);
		if ( $user ) {
			$data['ID'] = $user->ID;
			unset( $data['user_login'] );
			$id = wp_update_user( $data );
		} else {
			$data['user_pass'] = wp_generate_password( 24 );
			$id                = wp_insert_user( $data );
		}
		if ( is_wp_error( $id ) ) {
			taggate_cli_fail( $id->get_error_message() );
		}
		taggate_cli_out( array( 'id' => (int) $id ) );
		break;

	case 'user-add-cap':
		$user = get_user_by( 'email', (string) ( $argv[0] ?? '' ) );
		if ( ! $user ) {
			taggate_cli_fail( 'no such user' );
		}
		$user->add_cap( (string) ( $argv[1] ?? '' ) );
		taggate_cli_out( array( 'id' => $user->ID ) );
		break;

	case 'user-delete':
		require_once ABSPATH . 'wp-admin/includes/user.php';
		$user = get_user_by( 'email', (string) ( $argv[0] ?? '' ) );
		taggate_cli_out( array( 'deleted' => $user ? wp_delete_user( $user->ID ) : false ) );
		break;

	case 'user-tags':
		$user = get_user_by( 'email', (string) ( $argv[0] ?? '' ) );
		if ( ! $user ) {
			taggate_cli_fail( 'no such user' );
		}
		taggate_cli_out( (object) taggate_get_user_tags( $user->ID ) );
		break;

	case 'user-tags-set':
		$user = get_user_by( 'email', (string) ( $argv[0] ?? '' ) );
		$tags = json_decode( (string) ( $argv[1] ?? '[]' ), true );
		if ( ! $user || ! is_array( $tags ) ) {
			taggate_cli_fail( 'usage: user-tags-set <email> <json tags>' );
		}
		taggate_cli_out( \TagGate\WP\Tag_Store::set( $user->ID, $tags, 'admin' ) );
		break;

	case 'cron':
		taggate_cli_out( \TagGate\WP\Cron::run() );
		break;

	case 'demo':
		taggate_cli_out( taggate_cli_demo() );
		break;

	default:
		taggate_cli_fail( "unknown command '$cmd'" );
}

/**
 * Pretty permalinks (/%postname%/), rules rebuilt with every plugin loaded.
 */
function taggate_cli_permalinks() {
	global $wp_rewrite;
	$wp_rewrite->set_permalink_structure( '/%postname%/' );
	flush_rewrite_rules( false );
}

/**
 * Demo content: a course page, lessons gated by rules, demo subscribers.
 *
 * @return array
 */
function taggate_cli_demo() {
	$page = function ( $slug, $title, $content, $parent = 0, $rule = '' ) {
		$existing = get_posts(
			array(
				'name'        => $slug,
				'post_type'   => 'page',
				'post_status' => 'any',
				'numberposts' => 1,
				'post_parent' => $parent,
			)
		);
		$data     = array(
			'post_type'    => 'page',
			'post_status'  => 'publish',
			'post_name'    => $slug,
			'post_title'   => $title,
			'post_content' => $content,
			'post_parent'  => $parent,
			'post_author'  => 1,
		);
		if ( $existing ) {
			$data['ID'] = $existing[0]->ID;
			$id         = wp_update_post( $data );
		} else {
			$id = wp_insert_post( $data );
		}
		if ( '' === $rule ) {
			delete_post_meta( $id, '_taggate_rule' );
		} else {
			update_post_meta( $id, '_taggate_rule', $rule );
		}
		return (int) $id;
	};

	$course  = $page(
		'course-a',
		'Course A',
		"<!-- wp:paragraph -->\n<p>Welcome to Course A. Lessons open as your CRM tags you.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:shortcode -->\n[taggate rule=\"vip\"]VIP bonus: the recording of the live Q&amp;A.[else]Become a VIP to unlock the live Q&amp;A recording.[/taggate]\n<!-- /wp:shortcode -->",
		0,
		''
	);
	$lessons = array(
		'lesson-1' => array( 'Lesson 1: Getting started', '"Course A"', 'Lesson 1 text: set up your workspace.' ),
		'lesson-2' => array( 'Lesson 2: One week in (drip)', '"Course A" for 7d', 'Lesson 2 text: unlocked seven days after you joined.' ),
		'lesson-3' => array( 'Lesson 3: VIP masterclass', 'any(vip, "Course A") and none(refunded)', 'Lesson 3 text: the masterclass.' ),
	);
	$ids     = array( 'course-a' => $course );
	foreach ( $lessons as $slug => $lesson ) {
		$ids[ $slug ] = $page( $slug, $lesson[0], "<!-- wp:paragraph -->\n<p>" . $lesson[2] . "</p>\n<!-- /wp:paragraph -->", $course, $lesson[1] );
	}

	$users = array(
		array( 'ana', 'ana@example.test', 'Ana', 'Lee', array( 'Course A' ) ),
		array( 'ben', 'ben@example.test', 'Ben', 'Ng', array( 'VIP' ) ),
		array( 'cleo', 'cleo@example.test', 'Cleo', 'Park', array() ),
	);
	$out   = array();
	foreach ( $users as $u ) {
		$user = get_user_by( 'email', $u[1] );
		if ( ! $user ) {
			$id = wp_insert_user(
				array(
					'user_login' => $u[0],
					'user_email' => $u[1],
					'user_pass'  => 'demo-' . $u[0],
					'first_name' => $u[2],
					'last_name'  => $u[3],
					'role'       => 'subscriber',
				)
			);
		} else {
			$id = $user->ID;
		}
		if ( ! is_wp_error( $id ) ) {
			// Back to the demo's starting point, so the printed curl visibly adds a tag.
			\TagGate\WP\Tag_Store::set( (int) $id, $u[4], 'admin', time() - 8 * DAY_IN_SECONDS );
		}
		$out[ $u[1] ] = array(
			'id'       => is_wp_error( $id ) ? 0 : (int) $id,
			'login'    => $u[0],
			'password' => 'demo-' . $u[0],
		);
	}
	return array(
		'pages' => array_map( 'get_permalink', $ids ),
		'users' => $out,
	);
}
