<?php
/**
 * Daily maintenance: prunes the delivery log (keeping delivery ids at least
 * 7 days), expired login links, idle contact locks, an expired previous secret.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * WP-Cron job.
 */
final class Cron {

	/** The event's hook. */
	const HOOK = 'taggate_daily_maintenance';

	/**
	 * Hooks the job and makes sure it is scheduled.
	 */
	public static function register() {
		add_action( self::HOOK, array( __CLASS__, 'run' ) );
		// Activation and upgrades schedule the event; wp-admin and cron
		// requests put it back if something removed it (page views need not
		// read the cron array for that).
		if ( ( is_admin() || wp_doing_cron() ) && ! wp_next_scheduled( self::HOOK ) ) {
			self::schedule();
		}
	}

	/**
	 * Schedules the daily event (idempotent).
	 */
	public static function schedule() {
		if ( ! wp_next_scheduled( self::HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::HOOK );
		}
	}

	/**
	 * Removes the event.
	 */
	public static function unschedule() {
		wp_clear_scheduled_hook( self::HOOK );
	}

	/**
	 * The job.
	 *
	 * @return array<string,int> What was removed.
	 */
	public static function run() {
		$done = array(
			'deliveries'  => 0,
			'login_links' => 0,
			'locks'       => 0,
		);
		try {
			$done['deliveries']  = Delivery_Log::prune();
			$done['login_links'] = Login_Links::prune();
			$done['locks']       = Users::prune_locks();
			Settings::expire_previous_secret();
		} catch ( Db_Exception $e ) {
			// Try again tomorrow; nothing is lost by waiting.
			unset( $e );
		}
		/**
		 * Fires after TagGate's daily maintenance.
		 *
		 * @param array<string,int> $done Rows removed per kind.
		 */
		do_action( 'taggate_maintenance_done', $done );
		return $done;
	}
}
