<?php
/**
 * The global API of SPEC §6, for themes and other plugins.
 *
 * @package TagGate
 */

defined( 'ABSPATH' ) || exit;

if ( ! function_exists( 'taggate_get_user_tags' ) ) {
	/**
	 * A user's tags: tag (first spelling) => applied_at (Unix seconds).
	 *
	 * @param int $user_id User id.
	 * @return array<string,int>
	 */
	function taggate_get_user_tags( int $user_id ): array {
		try {
			return \TagGate\WP\Tag_Store::get( $user_id );
		} catch ( \TagGate\WP\Db_Exception $e ) {
			return array();
		}
	}
}

if ( ! function_exists( 'taggate_user_passes' ) ) {
	/**
	 * True when the user passes the rule: an empty rule passes everyone; a
	 * user with `taggate_bypass` passes everything; otherwise the user must
	 * exist and the rule match their tags. Fails closed: false for an invalid
	 * rule or when the extension is not loaded.
	 *
	 * @param int    $user_id User id (0: logged out).
	 * @param string $rule    Rule source (SPEC §2).
	 * @return bool
	 */
	function taggate_user_passes( int $user_id, string $rule ): bool {
		if ( '' === trim( $rule ) ) {
			return true;
		}
		if ( $user_id <= 0 || ! \TagGate\WP\Plugin::extension_loaded() ) {
			return false;
		}
		if ( user_can( $user_id, \TagGate\WP\Installer::BYPASS_CAP ) ) {
			return true;
		}
		try {
			return \TagGate\Rule::compile( $rule )->matches( taggate_get_user_tags( $user_id ) );
		} catch ( \Throwable $e ) {
			return false;
		}
	}
}

if ( ! function_exists( 'taggate_add_user_tags' ) ) {
	/**
	 * Adds tags to a user, atomically; fires `taggate_tags_added` with source `api`.
	 *
	 * @param int   $user_id User id.
	 * @param array $tags    Tags (list of strings, or tag => applied_at).
	 * @throws \ValueError On an invalid tag (nothing is changed).
	 */
	function taggate_add_user_tags( int $user_id, array $tags ): void {
		\TagGate\WP\Tag_Store::add( $user_id, $tags, 'api' );
	}
}

if ( ! function_exists( 'taggate_remove_user_tags' ) ) {
	/**
	 * Removes tags from a user, atomically; fires `taggate_tags_removed` with source `api`.
	 *
	 * @param int   $user_id User id.
	 * @param array $tags    Tags.
	 * @throws \ValueError On an invalid tag (nothing is changed).
	 */
	function taggate_remove_user_tags( int $user_id, array $tags ): void {
		\TagGate\WP\Tag_Store::remove( $user_id, $tags, 'api' );
	}
}
