<?php
/**
 * CRM adapters: read the contact payloads CRMs post (SPEC §6's table,
 * shapes in shared/crm-payloads.md) into contacts.
 *
 * An adapter is a callable `function ( array $payload ): array` that answers a
 * list of contacts, each:
 *
 *     [ 'email' => string, 'crm_id' => ?string, 'first_name' => ?string,
 *       'last_name' => ?string, 'tags' => ?string[] (the contact's current tags),
 *       'event_tag' => ?string (the tag the event is about), 'event' => ?string ]
 *
 * `$payload` holds `form` (the form-decoded body, or null), `json` (the
 * decoded JSON body, or null), `raw` (the body), `query` (the URL's query)
 * and `content_type`. Other plugins add adapters with the
 * `taggate_crm_adapters` filter.
 *
 * Ontraport sends tag ids, not names. The tag string is the id itself (`"12"`)
 * unless the `ontraport_tag_map` setting or the `taggate_ontraport_tag_names`
 * filter maps it to a name (`[ '12' => 'Course A' ]`). So a rule can name
 * Ontraport tags either way: `"12"` or, with the map, `"Course A"`.
 *
 * @package TagGate
 */

namespace TagGate\WP;

defined( 'ABSPATH' ) || exit;

/**
 * The adapter registry and the built-in adapters.
 */
final class Crm_Adapters {

	/**
	 * Adapters: name => [ 'label' => string, 'callback' => callable ].
	 *
	 * @return array<string,array{label:string,callback:callable}>
	 */
	public static function all() {
		$adapters = array(
			'activecampaign' => array(
				'label'    => 'ActiveCampaign',
				'callback' => array( __CLASS__, 'activecampaign' ),
			),
			'keap'           => array(
				'label'    => 'Keap (Infusionsoft) HTTP Post',
				'callback' => array( __CLASS__, 'keap' ),
			),
			'ontraport'      => array(
				'label'    => 'Ontraport',
				'callback' => array( __CLASS__, 'ontraport' ),
			),
			'drip'           => array(
				'label'    => 'Drip',
				'callback' => array( __CLASS__, 'drip' ),
			),
			'kit'            => array(
				'label'    => 'Kit (ConvertKit)',
				'callback' => array( __CLASS__, 'kit' ),
			),
			'mailchimp'      => array(
				'label'    => 'Mailchimp',
				'callback' => array( __CLASS__, 'mailchimp' ),
			),
			'generic'        => array(
				'label'    => __( 'Generic (form or JSON)', 'taggate' ),
				'callback' => array( __CLASS__, 'generic' ),
			),
		);
		/**
		 * Filters the CRM adapters. Add one as
		 * `$adapters['mycrm'] = [ 'label' => 'My CRM', 'callback' => fn( array $payload ) => [ … contacts … ] ]`.
		 *
		 * @param array $adapters Name => label and callback.
		 */
		return (array) apply_filters( 'taggate_crm_adapters', $adapters );
	}

	/**
	 * Reads a payload with the named adapter.
	 *
	 * @param string $name    Adapter name.
	 * @param array  $payload Payload (see the class comment).
	 * @return array[] Contacts (normalised: e-mail trimmed, empty fields removed).
	 * @throws Command_Error 503 for an unknown adapter.
	 */
	public static function read( $name, array $payload ) {
		$adapters = self::all();
		if ( ! isset( $adapters[ $name ] ) || ! is_callable( $adapters[ $name ]['callback'] ) ) {
			throw Command_Error::unavailable( __( 'The configured CRM adapter does not exist.', 'taggate' ) );
		}
		$contacts = call_user_func( $adapters[ $name ]['callback'], $payload );
		$out      = array();
		$seen     = array();
		foreach ( (array) $contacts as $contact ) {
			$contact = self::clean_contact( (array) $contact );
			if ( ! $contact ) {
				continue;
			}
			$key = strtolower( $contact['email'] );
			if ( isset( $seen[ $key ] ) ) {
				continue;
			}
			$seen[ $key ] = true;
			$out[]        = $contact;
		}
		return $out;
	}

	/**
	 * Builds the payload of the current request.
	 *
	 * @param \WP_REST_Request $request Request.
	 * @return array
	 */
	public static function payload( \WP_REST_Request $request ) {
		$raw          = (string) $request->get_body();
		$content_type = strtolower( (string) $request->get_header( 'content-type' ) );
		$json         = null;
		$form         = null;
		$trimmed      = ltrim( $raw );
		if ( false !== strpos( $content_type, 'json' ) || ( '' !== $trimmed && ( '{' === $trimmed[0] || '[' === $trimmed[0] ) ) ) {
			$decoded = json_decode( $raw, true, 64 );
			$json    = is_array( $decoded ) ? $decoded : null;
		}
		if ( null === $json ) {
			if ( '' !== $raw ) {
				parse_str( $raw, $form );
			} else {
				$form = $request->get_body_params(); // multipart/form-data: PHP consumed the body.
			}
			$form = is_array( $form ) ? $form : array();
		}
		return array(
			'raw'          => $raw,
			'json'         => $json,
			'form'         => $form,
			'query'        => $request->get_query_params(),
			'content_type' => $content_type,
		);
	}

	/**
	 * ActiveCampaign: `contact[email]`, `contact[id]`, `contact[first_name]`,
	 * `contact[last_name]`, `contact[tags]` ("a, b"), `tag` with `type`.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function activecampaign( array $payload ) {
		$data    = self::data( $payload );
		$contact = isset( $data['contact'] ) && is_array( $data['contact'] ) ? $data['contact'] : array();
		$tags    = null;
		if ( isset( $contact['tags'] ) && is_string( $contact['tags'] ) ) {
			$tags = self::split( $contact['tags'], ', ' );
		} elseif ( isset( $contact['tags'] ) && is_array( $contact['tags'] ) ) {
			$tags = $contact['tags'];
		}
		return array(
			array(
				'email'      => self::pick( $contact, array( 'email' ) ),
				'crm_id'     => self::pick( $contact, array( 'id' ) ),
				'first_name' => self::pick( $contact, array( 'first_name' ) ),
				'last_name'  => self::pick( $contact, array( 'last_name' ) ),
				'tags'       => $tags,
				'event_tag'  => self::pick( $data, array( 'tag' ) ),
				'event'      => self::pick( $data, array( 'type' ) ),
			),
		);
	}

	/**
	 * Keap Campaign Builder "Send HTTP Post": the pairs the user typed.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function keap( array $payload ) {
		$data = self::data( $payload );
		return array(
			array(
				'email'      => self::pick( $data, array( 'email', 'Email', 'EMAIL', 'Contact0Email' ) ),
				'crm_id'     => self::pick( $data, array( 'contactId', 'ContactId', 'Id', 'Contact0Id', 'contact_id', 'id' ) ),
				'first_name' => self::pick( $data, array( 'firstName', 'FirstName', 'Contact0FirstName', 'first_name' ) ),
				'last_name'  => self::pick( $data, array( 'lastName', 'LastName', 'Contact0LastName', 'last_name' ) ),
			),
		);
	}

	/**
	 * Ontraport: "Send a Webhook" pairs (`email`, `contact_id`/`id`,
	 * `firstname`, `lastname`, `contact_cat`) or an API subscription
	 * (`data[…]`, `event[tag_id]`). Tag ids map to tags as the class comment says.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function ontraport( array $payload ) {
		$data   = self::data( $payload );
		$nested = isset( $data['data'] ) && is_array( $data['data'] ) ? $data['data'] : array();
		$event  = isset( $data['event'] ) && is_array( $data['event'] ) ? $data['event'] : array();
		$cat    = self::pick( $data, array( 'contact_cat' ) );
		if ( null === $cat ) {
			$cat = self::pick( $nested, array( 'contact_cat' ) );
		}
		$tags = null;
		if ( null !== $cat ) {
			$tags = array_map( array( __CLASS__, 'ontraport_tag' ), array_values( array_filter( array_map( 'trim', explode( '*/*', $cat ) ), 'strlen' ) ) );
		}
		$tag_id = self::pick( $event, array( 'tag_id' ) );
		if ( null === $tag_id ) {
			$tag_id = self::pick( $data, array( 'tag_id' ) );
		}
		return array(
			array(
				'email'      => self::pick( $data, array( 'email' ) ) ?? self::pick( $nested, array( 'email' ) ),
				'crm_id'     => self::pick( $data, array( 'contact_id', 'id' ) ) ?? self::pick( $nested, array( 'id', 'contact_id' ) ),
				'first_name' => self::pick( $data, array( 'firstname' ) ) ?? self::pick( $nested, array( 'firstname' ) ),
				'last_name'  => self::pick( $data, array( 'lastname' ) ) ?? self::pick( $nested, array( 'lastname' ) ),
				'tags'       => $tags,
				'event_tag'  => null === $tag_id ? null : self::ontraport_tag( $tag_id ),
				'event'      => self::pick( $event, array( 'type' ) ),
			),
		);
	}

	/**
	 * The tag for an Ontraport tag id: the mapped name, else the id itself.
	 *
	 * @param string $id Tag id.
	 * @return string
	 */
	public static function ontraport_tag( $id ) {
		static $map = null;
		if ( null === $map ) {
			/**
			 * Filters the Ontraport tag id => tag name map (default: the
			 * `ontraport_tag_map` setting). Ids not in the map stay as they are.
			 *
			 * @param array<string,string> $map Id => name.
			 */
			$map = (array) apply_filters( 'taggate_ontraport_tag_names', (array) Settings::get( 'ontraport_tag_map' ) );
		}
		$id = trim( (string) $id );
		return isset( $map[ $id ] ) && '' !== trim( (string) $map[ $id ] ) ? (string) $map[ $id ] : $id;
	}

	/**
	 * Drip: `data.subscriber` (webhooks) or `subscriber` (workflows), tags as
	 * an array, the event's tag in `data.properties.tag`.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function drip( array $payload ) {
		$data       = self::data( $payload );
		$inner      = isset( $data['data'] ) && is_array( $data['data'] ) ? $data['data'] : array();
		$subscriber = array();
		if ( isset( $inner['subscriber'] ) && is_array( $inner['subscriber'] ) ) {
			$subscriber = $inner['subscriber'];
		} elseif ( isset( $data['subscriber'] ) && is_array( $data['subscriber'] ) ) {
			$subscriber = $data['subscriber'];
		}
		$properties = array();
		if ( isset( $inner['properties'] ) && is_array( $inner['properties'] ) ) {
			$properties = $inner['properties'];
		} elseif ( isset( $data['properties'] ) && is_array( $data['properties'] ) ) {
			$properties = $data['properties'];
		}
		$fields = isset( $subscriber['custom_fields'] ) && is_array( $subscriber['custom_fields'] ) ? $subscriber['custom_fields'] : array();
		return array(
			array(
				'email'      => self::pick( $subscriber, array( 'email' ) ),
				'crm_id'     => self::pick( $subscriber, array( 'id' ) ),
				'first_name' => self::pick( $fields, array( 'first_name', 'First Name' ) ),
				'last_name'  => self::pick( $fields, array( 'last_name', 'Last Name' ) ),
				'tags'       => isset( $subscriber['tags'] ) && is_array( $subscriber['tags'] ) ? $subscriber['tags'] : null,
				'event_tag'  => self::pick( $properties, array( 'tag' ) ),
				'event'      => self::pick( $data, array( 'event' ) ),
			),
		);
	}

	/**
	 * Kit: `subscriber` (legacy webhooks), or each `events[].data.subscriber`
	 * (the newer batched endpoints). A tag event's tag, where present, is read
	 * from `tag.name` / `data.tag.name`.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function kit( array $payload ) {
		$data     = self::data( $payload );
		$contacts = array();
		$one      = static function ( array $subscriber, array $around ) {
			$tag = null;
			if ( isset( $around['tag'] ) && is_array( $around['tag'] ) ) {
				$tag = self::pick( $around['tag'], array( 'name' ) );
			}
			return array(
				'email'      => self::pick( $subscriber, array( 'email_address', 'email' ) ),
				'crm_id'     => self::pick( $subscriber, array( 'id' ) ),
				'first_name' => self::pick( $subscriber, array( 'first_name' ) ),
				'event_tag'  => $tag,
			);
		};
		if ( isset( $data['subscriber'] ) && is_array( $data['subscriber'] ) ) {
			$contacts[] = $one( $data['subscriber'], $data );
		}
		if ( isset( $data['events'] ) && is_array( $data['events'] ) ) {
			foreach ( $data['events'] as $event ) {
				if ( is_array( $event ) && isset( $event['data']['subscriber'] ) && is_array( $event['data']['subscriber'] ) ) {
					$contact          = $one( $event['data']['subscriber'], (array) $event['data'] );
					$contact['event'] = self::pick( $event, array( 'type' ) );
					$contacts[]       = $contact;
				}
			}
		}
		return $contacts;
	}

	/**
	 * Mailchimp audience webhooks: `data[email]` (or `data[new_email]` on an
	 * e-mail change), `data[id]`, `data[merges][FNAME]`, `data[merges][LNAME]`.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function mailchimp( array $payload ) {
		$data   = self::data( $payload );
		$inner  = isset( $data['data'] ) && is_array( $data['data'] ) ? $data['data'] : array();
		$merges = isset( $inner['merges'] ) && is_array( $inner['merges'] ) ? $inner['merges'] : array();
		return array(
			array(
				'email'      => self::pick( $inner, array( 'new_email', 'email' ) ),
				'crm_id'     => self::pick( $inner, array( 'id', 'new_id' ) ),
				'first_name' => self::pick( $merges, array( 'FNAME' ) ),
				'last_name'  => self::pick( $merges, array( 'LNAME' ) ),
				'event'      => self::pick( $data, array( 'type' ) ),
			),
		);
	}

	/**
	 * Generic: `email`, `crm_id`/`contact_id`/`id`, `first_name`, `last_name`,
	 * `tags` (array or comma-separated), `tag`; form or JSON.
	 *
	 * @param array $payload Payload.
	 * @return array[]
	 */
	public static function generic( array $payload ) {
		$data = self::data( $payload );
		$tags = null;
		if ( isset( $data['tags'] ) && is_array( $data['tags'] ) ) {
			$tags = $data['tags'];
		} elseif ( isset( $data['tags'] ) && is_scalar( $data['tags'] ) ) {
			$tags = self::split( (string) $data['tags'], ',' );
		}
		return array(
			array(
				'email'      => self::pick( $data, array( 'email' ) ),
				'crm_id'     => self::pick( $data, array( 'crm_id', 'contact_id', 'id' ) ),
				'first_name' => self::pick( $data, array( 'first_name' ) ),
				'last_name'  => self::pick( $data, array( 'last_name' ) ),
				'tags'       => $tags,
				'event_tag'  => self::pick( $data, array( 'tag' ) ),
				'event'      => self::pick( $data, array( 'event', 'type' ) ),
			),
		);
	}

	/**
	 * Splits a tag list, dropping empty entries.
	 *
	 * @param string $list      List.
	 * @param string $separator Separator.
	 * @return string[]
	 */
	public static function split( $list, $separator ) {
		// ActiveCampaign writes ", ": splitting on "," and trimming reads that and a bare "," alike.
		$parts = explode( ', ' === $separator ? ',' : $separator, (string) $list );
		return array_values( array_filter( array_map( 'trim', $parts ), 'strlen' ) );
	}

	/**
	 * The decoded body (JSON first, then form).
	 *
	 * @param array $payload Payload.
	 * @return array
	 */
	private static function data( array $payload ) {
		if ( isset( $payload['json'] ) && is_array( $payload['json'] ) ) {
			return $payload['json'];
		}
		return isset( $payload['form'] ) && is_array( $payload['form'] ) ? $payload['form'] : array();
	}

	/**
	 * The first non-empty scalar among keys, as a string; null when none.
	 *
	 * @param array    $data Data.
	 * @param string[] $keys Keys, in order of preference.
	 * @return string|null
	 */
	private static function pick( array $data, array $keys ) {
		foreach ( $keys as $key ) {
			if ( isset( $data[ $key ] ) && is_scalar( $data[ $key ] ) && ! is_bool( $data[ $key ] ) ) {
				$value = trim( (string) $data[ $key ] );
				if ( '' !== $value ) {
					return $value;
				}
			}
		}
		return null;
	}

	/**
	 * Normalises an adapter's contact; null when it has no e-mail.
	 *
	 * @param array $contact Contact.
	 * @return array|null
	 */
	private static function clean_contact( array $contact ) {
		$email = isset( $contact['email'] ) && is_scalar( $contact['email'] ) ? trim( (string) $contact['email'] ) : '';
		if ( '' === $email ) {
			return null;
		}
		$out = array( 'email' => $email );
		foreach ( array( 'crm_id', 'first_name', 'last_name', 'event_tag', 'event' ) as $field ) {
			if ( isset( $contact[ $field ] ) && is_scalar( $contact[ $field ] ) && '' !== trim( (string) $contact[ $field ] ) ) {
				$out[ $field ] = trim( (string) $contact[ $field ] );
			}
		}
		if ( isset( $contact['tags'] ) && is_array( $contact['tags'] ) ) {
			$tags = array();
			foreach ( $contact['tags'] as $tag ) {
				if ( is_scalar( $tag ) && '' !== trim( (string) $tag ) ) {
					$tags[] = trim( (string) $tag );
				} elseif ( is_array( $tag ) && isset( $tag['name'] ) && is_scalar( $tag['name'] ) ) {
					$tags[] = trim( (string) $tag['name'] ); // Objects such as {"name": "VIP"}.
				}
			}
			$out['tags'] = $tags;
		}
		return $out;
	}
}
