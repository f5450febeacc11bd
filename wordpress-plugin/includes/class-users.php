<?php
/**
 * Contacts and WordPress users: lookup by CRM id then e-mail, creation with
 * an allowed role only, the protected-user rules, per-contact locks.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * Users as seen by webhooks.
 */
final class Users {

	/** User meta holding the contact's CRM id (unique across users). */
	const CRM_META = 'taggate_crm_id';

	/**
	 * The contact-lock table.
	 *
	 * @return string
	 */
	public static function locks_table() {
		global $wpdb;
		return $wpdb->prefix . 'taggate_locks';
	}

	/**
	 * Serialises every command about one contact (by e-mail and by CRM id)
	 * until the transaction ends, so two deliveries can never both create the
	 * same user. Row locks in InnoDB: they hold across servers and take part
	 * in deadlock detection.
	 *
	 * @param array $contact Contact of a parsed command.
	 */
	public static function lock_contact( array $contact ) {
		global $wpdb;
		$keys = array();
		if ( ! empty( $contact['email'] ) ) {
			$keys[] = sha1( 'e:' . strtolower( trim( (string) $contact['email'] ) ) );
		}
		if ( isset( $contact['crm_id'] ) && '' !== (string) $contact['crm_id'] ) {
			$keys[] = sha1( 'c:' . (string) $contact['crm_id'] );
		}
		sort( $keys ); // One order everywhere: no lock-order deadlocks.
		$now = time();
		foreach ( $keys as $key ) {
			Db::query(
				$wpdb->prepare(
					'INSERT INTO ' . self::locks_table() . ' (lock_hash, touched_at) VALUES (UNHEX(%s), %d) ON DUPLICATE KEY UPDATE touched_at = VALUES(touched_at)', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
					$key,
					$now
				)
			);
		}
	}

	/**
	 * Deletes contact locks not used for a day (cron).
	 *
	 * @return int Rows deleted.
	 */
	public static function prune_locks() {
		global $wpdb;
		return (int) Db::query(
			$wpdb->prepare( 'DELETE FROM ' . self::locks_table() . ' WHERE touched_at < %d', time() - DAY_IN_SECONDS ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
	}

	/**
	 * The user of a contact: by CRM id first, then by e-mail.
	 *
	 * @param array $contact `email`, optional `crm_id`.
	 * @return \WP_User|null
	 */
	public static function find( array $contact ) {
		if ( isset( $contact['crm_id'] ) && '' !== (string) $contact['crm_id'] ) {
			$user = self::find_by_crm_id( (string) $contact['crm_id'] );
			if ( $user ) {
				return $user;
			}
		}
		if ( ! empty( $contact['email'] ) ) {
			$user = self::find_by_email( (string) $contact['email'] );
			if ( $user ) {
				return $user;
			}
		}
		return null;
	}

	/**
	 * The user holding a CRM id.
	 *
	 * @param string $crm_id CRM id.
	 * @return \WP_User|null
	 */
	public static function find_by_crm_id( $crm_id ) {
		global $wpdb;
		$id = Db::value(
			$wpdb->prepare(
				"SELECT user_id FROM {$wpdb->usermeta} WHERE meta_key = %s AND meta_value = %s ORDER BY umeta_id LIMIT 1",
				self::CRM_META,
				(string) $crm_id
			)
		);
		return $id ? self::fresh_user( (int) $id ) : null;
	}

	/**
	 * The user with an e-mail (case-insensitive, as WordPress compares them).
	 *
	 * @param string $email E-mail.
	 * @return \WP_User|null
	 */
	public static function find_by_email( $email ) {
		global $wpdb;
		$email = trim( (string) $email );
		if ( '' === $email ) {
			return null;
		}
		// Straight from the table: the object cache may predate a concurrent creation.
		$id = Db::value( $wpdb->prepare( "SELECT ID FROM {$wpdb->users} WHERE user_email = %s ORDER BY ID LIMIT 1", $email ) );
		return $id ? self::fresh_user( (int) $id ) : null;
	}

	/**
	 * Creates the user of a contact with the first allowed role.
	 *
	 * @param array  $contact Contact of a parsed command.
	 * @param string $source  Who asks.
	 * @return \WP_User
	 * @throws Command_Error 503 when no role may be given; 400 when WordPress refuses the data.
	 */
	public static function create( array $contact, $source ) {
		$roles = Settings::allowed_roles();
		if ( ! $roles ) {
			throw Command_Error::unavailable( __( 'No role is allowed for users created by webhooks; check the TagGate settings.', 'taggate' ) );
		}
		$email = trim( (string) $contact['email'] );
		if ( ! is_email( $email ) ) {
			throw Command_Error::invalid( __( '/contact/email: WordPress does not accept this e-mail address.', 'taggate' ) );
		}
		$first = isset( $contact['first_name'] ) ? (string) $contact['first_name'] : '';
		$last  = isset( $contact['last_name'] ) ? (string) $contact['last_name'] : '';
		$data  = array(
			'user_login'   => self::unique_login( $email ),
			'user_email'   => $email,
			'user_pass'    => wp_generate_password( 32, true, true ),
			'first_name'   => $first,
			'last_name'    => $last,
			'display_name' => trim( $first . ' ' . $last ) !== '' ? trim( $first . ' ' . $last ) : strstr( $email, '@', true ),
			'role'         => $roles[0],
		);
		/**
		 * Filters the data of a user about to be created from a webhook. The
		 * role is forced back to the first allowed role after this filter.
		 *
		 * @param array  $data    Arguments of wp_insert_user().
		 * @param array  $contact The command's contact.
		 * @param string $source  Who asks.
		 */
		$data         = (array) apply_filters( 'taggate_new_user_data', $data, $contact, $source );
		$data['role'] = $roles[0];
		unset( $data['ID'] );

		$id = wp_insert_user( wp_slash( $data ) );
		if ( is_wp_error( $id ) ) {
			throw Command_Error::invalid(
				/* translators: %s: WordPress's error message. */
				sprintf( __( 'WordPress refused to create the user: %s', 'taggate' ), wp_strip_all_tags( $id->get_error_message() ) )
			);
		}
		$id = (int) $id;
		Db::on_rollback(
			static function () use ( $id, $email, $data ) {
				self::forget( $id, $email, (string) $data['user_login'] );
			}
		);
		if ( isset( $contact['crm_id'] ) && '' !== (string) $contact['crm_id'] ) {
			self::set_crm_id( $id, (string) $contact['crm_id'] );
		}
		$user = self::fresh_user( $id );
		/**
		 * Fires inside the transaction after a webhook created a user.
		 * Throwing rolls the creation back.
		 *
		 * @param int    $user_id User id.
		 * @param array  $contact The command's contact.
		 * @param string $source  Who asks.
		 */
		do_action( 'taggate_user_created', $id, $contact, $source );
		return $user;
	}

	/**
	 * Updates e-mail and names from a contact, never the role or password.
	 * Refuses (403) for a protected user when anything would change.
	 *
	 * @param \WP_User $user    User.
	 * @param array    $contact Contact of a parsed command.
	 * @return string[] The fields changed.
	 * @throws Command_Error 403 protected_user, 400 on an e-mail held by another user.
	 */
	public static function update_profile( \WP_User $user, array $contact ) {
		$changes = array();
		$email   = trim( (string) $contact['email'] );
		if ( '' !== $email && strtolower( $email ) !== strtolower( $user->user_email ) ) {
			$changes['user_email'] = $email;
		}
		foreach ( array( 'first_name', 'last_name' ) as $field ) {
			if ( isset( $contact[ $field ] ) && (string) $contact[ $field ] !== (string) get_user_meta( $user->ID, $field, true ) ) {
				$changes[ $field ] = (string) $contact[ $field ];
			}
		}
		$crm_change = isset( $contact['crm_id'] ) && '' !== (string) $contact['crm_id']
			&& (string) $contact['crm_id'] !== (string) get_user_meta( $user->ID, self::CRM_META, true );
		if ( ! $changes && ! $crm_change ) {
			return array();
		}
		if ( self::is_protected( $user ) ) {
			if ( $changes ) {
				throw self::protected_error();
			}
			return array(); // Never link a CRM id to a protected account.
		}
		if ( isset( $changes['user_email'] ) ) {
			// Hold the new address's contact lock: no one may create it meanwhile.
			self::lock_contact( array( 'email' => $changes['user_email'] ) );
			$other = self::find_by_email( $changes['user_email'] );
			if ( $other && $other->ID !== $user->ID ) {
				throw Command_Error::invalid( __( '/contact/email: another user already has this e-mail address.', 'taggate' ) );
			}
			if ( ! is_email( $changes['user_email'] ) ) {
				throw Command_Error::invalid( __( '/contact/email: WordPress does not accept this e-mail address.', 'taggate' ) );
			}
		}
		$old_email = $user->user_email;
		if ( $changes ) {
			$data = array( 'ID' => $user->ID ) + $changes;
			if ( isset( $changes['first_name'] ) || isset( $changes['last_name'] ) ) {
				$first = isset( $changes['first_name'] ) ? $changes['first_name'] : (string) get_user_meta( $user->ID, 'first_name', true );
				$last  = isset( $changes['last_name'] ) ? $changes['last_name'] : (string) get_user_meta( $user->ID, 'last_name', true );
				$name  = trim( $first . ' ' . $last );
				if ( '' !== $name ) {
					$data['display_name'] = $name;
				}
			}
			// No e-mail to the user about the change: the CRM is the source of truth.
			add_filter( 'send_email_change_email', '__return_false', 999 );
			$result = wp_update_user( wp_slash( $data ) );
			remove_filter( 'send_email_change_email', '__return_false', 999 );
			if ( is_wp_error( $result ) ) {
				throw Command_Error::invalid(
					/* translators: %s: WordPress's error message. */
					sprintf( __( 'WordPress refused to update the user: %s', 'taggate' ), wp_strip_all_tags( $result->get_error_message() ) )
				);
			}
			$id    = (int) $user->ID;
			$login = $user->user_login;
			Db::on_rollback(
				static function () use ( $id, $old_email, $login ) {
					self::forget( $id, $old_email, $login );
				}
			);
		}
		if ( $crm_change ) {
			self::set_crm_id( $user->ID, (string) $contact['crm_id'] );
			$changes['crm_id'] = (string) $contact['crm_id'];
		}
		return array_keys( $changes );
	}

	/**
	 * Links a CRM id to a user, unlinking it from anyone else (the id is unique).
	 *
	 * @param int    $user_id User id.
	 * @param string $crm_id  CRM id.
	 */
	public static function set_crm_id( $user_id, $crm_id ) {
		global $wpdb;
		$others = Db::rows(
			$wpdb->prepare(
				"SELECT user_id FROM {$wpdb->usermeta} WHERE meta_key = %s AND meta_value = %s AND user_id <> %d",
				self::CRM_META,
				(string) $crm_id,
				(int) $user_id
			)
		);
		foreach ( $others as $row ) {
			delete_user_meta( (int) $row['user_id'], self::CRM_META );
		}
		update_user_meta( (int) $user_id, self::CRM_META, (string) $crm_id );
		Db::on_rollback(
			static function () use ( $user_id, $others ) {
				wp_cache_delete( (int) $user_id, 'user_meta' );
				foreach ( $others as $row ) {
					wp_cache_delete( (int) $row['user_id'], 'user_meta' );
				}
			}
		);
	}

	/**
	 * True when the user can do more than the roles allowed for
	 * webhook-created accounts: a super admin, a role outside the allow list,
	 * or any capability those roles do not grant. Such users may have their
	 * tags changed, and nothing else.
	 *
	 * @param \WP_User|int $user User.
	 * @return bool
	 */
	public static function is_protected( $user ) {
		if ( ! $user instanceof \WP_User ) {
			$user = self::fresh_user( (int) $user );
			if ( ! $user ) {
				return false;
			}
		}
		$protected = self::compute_protected( $user );
		/**
		 * Filters whether a user is protected from profile changes and login
		 * links by webhooks. Can only add protection: returning false for a
		 * user TagGate protects has no effect.
		 *
		 * @param bool     $protected Whether the user is protected.
		 * @param \WP_User $user      User.
		 */
		return $protected || (bool) apply_filters( 'taggate_user_is_protected', $protected, $user );
	}

	/**
	 * The 403 answer for a protected user.
	 *
	 * @return Command_Error
	 */
	public static function protected_error() {
		return new Command_Error( 'protected_user', 403, __( 'This user has more rights than webhook-managed accounts: only their tags can be changed.', 'taggate' ) );
	}

	/**
	 * A fresh WP_User from the database (not a possibly stale cached copy).
	 *
	 * @param int $user_id User id.
	 * @return \WP_User|null
	 */
	public static function fresh_user( $user_id ) {
		clean_user_cache( (int) $user_id );
		$user = get_user_by( 'id', (int) $user_id );
		return $user instanceof \WP_User ? $user : null;
	}

	/**
	 * The protected test itself.
	 *
	 * @param \WP_User $user User.
	 * @return bool
	 */
	private static function compute_protected( \WP_User $user ) {
		if ( is_multisite() && is_super_admin( $user->ID ) ) {
			return true;
		}
		$allowed = Settings::allowed_roles();
		foreach ( (array) $user->roles as $role ) {
			if ( ! in_array( $role, $allowed, true ) ) {
				return true;
			}
		}
		$granted = array();
		foreach ( $allowed as $role ) {
			$granted[ $role ] = true;
			$object           = get_role( $role );
			if ( $object ) {
				foreach ( (array) $object->capabilities as $cap => $grant ) {
					if ( $grant ) {
						$granted[ $cap ] = true;
					}
				}
			}
		}
		foreach ( (array) $user->allcaps as $cap => $grant ) {
			if ( $grant && ! isset( $granted[ $cap ] ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A free user_login from an e-mail's local part.
	 *
	 * @param string $email E-mail.
	 * @return string
	 */
	private static function unique_login( $email ) {
		$base = sanitize_user( (string) strstr( $email, '@', true ), true );
		$base = substr( trim( $base ), 0, 50 );
		if ( '' === $base ) {
			$base = 'member';
		}
		$login = $base;
		for ( $i = 2; username_exists( $login ) || self::login_is_blocked( $login ); $i++ ) {
			$login = $base . '-' . ( $i < 20 ? $i : wp_rand( 1000, 999999 ) );
		}
		return $login;
	}

	/**
	 * True for a login WordPress refuses (illegal_user_logins).
	 *
	 * @param string $login Login.
	 * @return bool
	 */
	private static function login_is_blocked( $login ) {
		$illegal = array_map( 'strtolower', (array) apply_filters( 'illegal_user_logins', array() ) );
		return in_array( strtolower( $login ), $illegal, true );
	}

	/**
	 * Drops every cached copy of a user (after a rollback).
	 *
	 * @param int    $user_id User id.
	 * @param string $email   E-mail.
	 * @param string $login   Login.
	 */
	private static function forget( $user_id, $email, $login ) {
		wp_cache_delete( (int) $user_id, 'users' );
		wp_cache_delete( (int) $user_id, 'user_meta' );
		wp_cache_delete( $email, 'useremail' );
		wp_cache_delete( $login, 'userlogins' );
		wp_cache_delete( sanitize_title( $login ), 'userslugs' );
		Tag_Store::flush_cache( (int) $user_id );
	}
}
