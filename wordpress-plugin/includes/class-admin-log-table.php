<?php
/**
 * The delivery log's WP_List_Table.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( '\WP_List_Table' ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

/**
 * The list table.
 */
class Admin_Log_Table extends \WP_List_Table {

	/**
	 * Constructor.
	 */
	public function __construct() {
		parent::__construct(
			array(
				'singular' => 'delivery',
				'plural'   => 'deliveries',
				'ajax'     => false,
			)
		);
	}

	/**
	 * A GET filter value, kept only when it is one of the allowed values.
	 *
	 * @param string   $name    Parameter.
	 * @param string[] $allowed Allowed values.
	 * @return string
	 */
	private function filter( $name, array $allowed ) {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only list filters.
		$value = isset( $_GET[ $name ] ) ? sanitize_text_field( wp_unslash( $_GET[ $name ] ) ) : '';
		return in_array( $value, $allowed, true ) ? $value : '';
	}

	/**
	 * The query arguments of the current filters.
	 *
	 * @return array
	 */
	private function args() {
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- read-only list filters.
		$args = array(
			'outcome' => $this->filter( 'outcome', Admin_Log::OUTCOMES ),
			'command' => $this->filter( 'command', Admin_Log::COMMANDS ),
			'source'  => $this->filter( 'source', array( 'webhook', 'crm' ) ),
			'search'  => isset( $_GET['s'] ) ? sanitize_text_field( wp_unslash( $_GET['s'] ) ) : '',
			'orderby' => $this->filter( 'orderby', Delivery_Log::ORDERBY ),
			'order'   => isset( $_GET['order'] ) && 'asc' === strtolower( sanitize_key( wp_unslash( $_GET['order'] ) ) ) ? 'ASC' : 'DESC',
		);
		// phpcs:enable
		if ( '' === $args['orderby'] ) {
			$args['orderby'] = 'id';
		}
		return $args;
	}

	/**
	 * Loads the page of rows.
	 */
	public function prepare_items() {
		$per_page = $this->get_items_per_page( 'taggate_log_per_page', 20 );
		$args     = $this->args();
		$total    = Delivery_Log::count( $args );
		$this->items = Delivery_Log::query(
			array_merge(
				$args,
				array(
					'per_page' => $per_page,
					'page'     => $this->get_pagenum(),
				)
			)
		);
		$this->set_pagination_args(
			array(
				'total_items' => $total,
				'per_page'    => $per_page,
				'total_pages' => (int) ceil( $total / $per_page ),
			)
		);
		$this->_column_headers = array( $this->get_columns(), array(), $this->get_sortable_columns(), 'received_at' );
	}

	/**
	 * Columns.
	 *
	 * @return array
	 */
	public function get_columns() {
		return array(
			'received_at' => __( 'Received', 'taggate' ),
			'outcome'     => __( 'Outcome', 'taggate' ),
			'status'      => __( 'Status', 'taggate' ),
			'command'     => __( 'Command', 'taggate' ),
			'contact'     => __( 'Contact', 'taggate' ),
			'source'      => __( 'Source', 'taggate' ),
			'error_code'  => __( 'Error', 'taggate' ),
			'delivery_id' => __( 'Delivery id', 'taggate' ),
		);
	}

	/**
	 * Sortable columns.
	 *
	 * @return array
	 */
	protected function get_sortable_columns() {
		return array(
			'received_at' => array( 'id', true ),
			'outcome'     => array( 'outcome', false ),
			'status'      => array( 'status', false ),
			'command'     => array( 'command', false ),
			'contact'     => array( 'contact', false ),
			'source'      => array( 'source', false ),
		);
	}

	/**
	 * The "no rows" text.
	 */
	public function no_items() {
		esc_html_e( 'No deliveries match.', 'taggate' );
	}

	/**
	 * The filters above the table.
	 *
	 * @param string $which 'top' or 'bottom'.
	 */
	protected function extra_tablenav( $which ) {
		if ( 'top' !== $which ) {
			return;
		}
		$args = $this->args();
		echo '<div class="alignleft actions">';
		$this->select( 'outcome', __( 'All outcomes', 'taggate' ), Admin_Log::OUTCOMES, $args['outcome'] );
		$this->select( 'command', __( 'All commands', 'taggate' ), Admin_Log::COMMANDS, $args['command'] );
		$this->select(
			'source',
			__( 'All sources', 'taggate' ),
			array(
				'webhook' => __( 'Signed webhook', 'taggate' ),
				'crm'     => __( 'CRM URL', 'taggate' ),
			),
			$args['source']
		);
		submit_button( __( 'Filter', 'taggate' ), '', 'filter_action', false );
		echo '</div>';
	}

	/**
	 * A filter drop-down.
	 *
	 * @param string $name    Parameter.
	 * @param string $all     Label of "any".
	 * @param array  $options Values (list) or value => label.
	 * @param string $current Current value.
	 */
	private function select( $name, $all, array $options, $current ) {
		printf( '<label class="screen-reader-text" for="taggate-filter-%1$s">%2$s</label>', esc_attr( $name ), esc_html( $all ) );
		printf( '<select name="%1$s" id="taggate-filter-%1$s"><option value="">%2$s</option>', esc_attr( $name ), esc_html( $all ) );
		foreach ( $options as $value => $label ) {
			$value = is_int( $value ) ? $label : $value;
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $value ), selected( $current, $value, false ), esc_html( $label ) );
		}
		echo '</select>';
	}

	/**
	 * Column: received (with the link to the detail view).
	 *
	 * @param array $item Row.
	 * @return string
	 */
	protected function column_received_at( $item ) {
		return sprintf(
			'<a href="%1$s" class="row-title">%2$s</a>',
			esc_url( Admin_Log::url( array( 'delivery' => (int) $item['id'] ) ) ),
			esc_html( Admin_Log::date( (int) $item['received_at'] ) )
		);
	}

	/**
	 * Column: outcome.
	 *
	 * @param array $item Row.
	 * @return string
	 */
	protected function column_outcome( $item ) {
		return sprintf( '<span class="taggate-outcome taggate-outcome--%1$s">%2$s</span>', esc_attr( sanitize_html_class( $item['outcome'] ) ), esc_html( $item['outcome'] ) );
	}

	/**
	 * Other columns.
	 *
	 * @param array  $item        Row.
	 * @param string $column_name Column.
	 * @return string
	 */
	protected function column_default( $item, $column_name ) {
		$value = isset( $item[ $column_name ] ) ? (string) $item[ $column_name ] : '';
		if ( 'source' === $column_name ) {
			$value = ( 'crm' === $value ? __( 'CRM', 'taggate' ) : __( 'webhook', 'taggate' ) ) . ( '' !== $item['scheme'] ? ' (' . $item['scheme'] . ')' : '' );
		}
		if ( 'contact' === $column_name && ! empty( $item['user_id'] ) ) {
			return sprintf( '<a href="%1$s">%2$s</a>', esc_url( get_edit_user_link( (int) $item['user_id'] ) ), esc_html( '' === $value ? '#' . $item['user_id'] : $value ) );
		}
		return '' === $value ? '—' : esc_html( $value );
	}

	/**
	 * Row actions: view.
	 *
	 * @param array  $item        Row.
	 * @param string $column_name Column.
	 * @param string $primary     Primary column.
	 * @return string
	 */
	protected function handle_row_actions( $item, $column_name, $primary ) {
		if ( $column_name !== $primary ) {
			return '';
		}
		return $this->row_actions(
			array(
				'view' => sprintf( '<a href="%1$s">%2$s</a>', esc_url( Admin_Log::url( array( 'delivery' => (int) $item['id'] ) ) ), esc_html__( 'Details', 'taggate' ) ),
			)
		);
	}
}
