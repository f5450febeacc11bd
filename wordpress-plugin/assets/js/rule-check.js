/**
 * TagGate: live rule checking, shared by the document panel, the block and
 * the classic meta box. Plain ES5 on the wp.* globals (no build step).
 *
 * Exposes window.taggate = { validate, useRuleCheck, RuleStatus, renderStatus, caretLine }.
 */
( function ( wp, settings ) {
	'use strict';

	var __ = wp.i18n.__;
	var sprintf = wp.i18n.sprintf;
	var cache = {};

	settings = settings || {};

	/**
	 * Asks the server whether a rule compiles. Resolves (never rejects) with
	 * { valid, canonical, tags } or { valid: false, error: { code, message, line, column } }.
	 */
	function validate( rule, postId ) {
		var key = String( postId || 0 ) + '\u0000' + rule;
		if ( cache[ key ] ) {
			return cache[ key ];
		}
		var request = wp.apiFetch( {
			path: settings.validatePath || '/taggate/v1/rule/validate',
			method: 'POST',
			data: { rule: rule, post_id: postId || 0 }
		} ).catch( function ( err ) {
			delete cache[ key ];
			if ( err && err.valid === false && err.error ) {
				return err;
			}
			return {
				valid: false,
				error: {
					code: ( err && err.code ) || 'request_failed',
					message: ( err && err.message ) || __( 'The rule could not be checked.', 'taggate' ),
					line: 0,
					column: 0
				}
			};
		} );
		cache[ key ] = request;
		return request;
	}

	/**
	 * The line of the rule the error points at, and a caret under its column
	 * (columns count Unicode characters, as the extension does).
	 */
	function caretLine( rule, line, column ) {
		if ( ! line || ! column ) {
			return null;
		}
		var lines = String( rule ).split( /\r\n|\r|\n/ );
		var text = lines[ line - 1 ];
		if ( text === undefined ) {
			text = '';
		}
		var chars = Array.from ? Array.from( text ) : text.split( '' );
		var pad = '';
		for ( var i = 0; i < column - 1; i++ ) {
			pad += chars[ i ] === '\t' ? '\t' : ' ';
		}
		return text + '\n' + pad + '^';
	}

	/**
	 * React hook: checks a rule as it is typed (debounced).
	 * State: 'empty' | 'checking' | 'valid' | 'invalid'.
	 */
	function useRuleCheck( rule, postId, allowEmpty ) {
		var useState = wp.element.useState;
		var useEffect = wp.element.useEffect;
		var pair = useState( { state: 'checking' } );
		var result = pair[ 0 ];
		var setResult = pair[ 1 ];
		var source = typeof rule === 'string' ? rule : '';

		useEffect( function () {
			if ( ! source.trim() ) {
				setResult(
					allowEmpty
						? { state: 'empty' }
						: {
								state: 'invalid',
								error: { code: 'empty', message: __( 'Enter a rule.', 'taggate' ), line: 0, column: 0 }
						  }
				);
				return undefined;
			}
			var cancelled = false;
			setResult( { state: 'checking' } );
			var timer = setTimeout( function () {
				validate( source, postId ).then( function ( res ) {
					if ( cancelled ) {
						return;
					}
					if ( res && res.valid ) {
						setResult( { state: 'valid', canonical: res.canonical, tags: res.tags || [] } );
					} else {
						setResult( { state: 'invalid', error: ( res && res.error ) || {} } );
					}
				} );
			}, 300 );
			return function () {
				cancelled = true;
				clearTimeout( timer );
			};
		}, [ source, postId, allowEmpty ] );

		return result;
	}

	/**
	 * React component: what the check found.
	 * Props: rule, result (from useRuleCheck), emptyText.
	 */
	function RuleStatus( props ) {
		var el = wp.element.createElement;
		var result = props.result || {};
		var error = result.error || {};

		if ( result.state === 'empty' ) {
			return el( 'p', { className: 'taggate-rule-status is-empty' }, props.emptyText || __( 'No rule: everyone can read this.', 'taggate' ) );
		}
		if ( result.state === 'checking' ) {
			return el( 'p', { className: 'taggate-rule-status is-checking' }, __( 'Checking…', 'taggate' ) );
		}
		if ( result.state === 'valid' ) {
			return el(
				'div',
				{ className: 'taggate-rule-status is-valid' },
				el( 'span', { className: 'taggate-rule-status__label' }, __( 'Valid rule.', 'taggate' ) + ' ' ),
				el( 'span', null, __( 'Canonical form:', 'taggate' ) + ' ' ),
				el( 'code', { className: 'taggate-rule-canonical' }, result.canonical )
			);
		}
		var caret = caretLine( props.rule || '', error.line, error.column );
		return el(
			'div',
			{ className: 'taggate-rule-status is-invalid', role: 'alert' },
			el( 'strong', { className: 'taggate-rule-status__label' }, __( 'Invalid rule:', 'taggate' ) + ' ' ),
			el( 'span', { className: 'taggate-rule-error' }, error.message || '' ),
			error.line
				? el(
						'span',
						{ className: 'taggate-rule-position', 'data-line': error.line, 'data-column': error.column },
						/at line \d+, column \d+$/.test( error.message || '' )
							? ''
							: ' ' + sprintf( /* translators: 1: line, 2: column. */ __( '(line %1$d, column %2$d)', 'taggate' ), error.line, error.column )
				  )
				: null,
			caret ? el( 'pre', { className: 'taggate-rule-caret' }, caret ) : null
		);
	}

	/**
	 * The same, as plain DOM, for the classic meta box.
	 */
	function renderStatus( node, rule, result, emptyText ) {
		while ( node.firstChild ) {
			node.removeChild( node.firstChild );
		}
		node.className = 'taggate-rule-status is-' + ( result.state || 'checking' );
		function add( tag, text, className ) {
			var child = document.createElement( tag );
			child.textContent = text;
			if ( className ) {
				child.className = className;
			}
			node.appendChild( child );
			return child;
		}
		if ( result.state === 'empty' ) {
			add( 'span', emptyText || __( 'No rule: everyone can read this.', 'taggate' ) );
		} else if ( result.state === 'checking' ) {
			add( 'span', __( 'Checking…', 'taggate' ) );
		} else if ( result.state === 'valid' ) {
			add( 'span', __( 'Valid rule.', 'taggate' ) + ' ' + __( 'Canonical form:', 'taggate' ) + ' ', 'taggate-rule-status__label' );
			add( 'code', result.canonical, 'taggate-rule-canonical' );
		} else {
			var error = result.error || {};
			node.setAttribute( 'role', 'alert' );
			add( 'strong', __( 'Invalid rule:', 'taggate' ) + ' ', 'taggate-rule-status__label' );
			add( 'span', error.message || '', 'taggate-rule-error' );
			var caret = caretLine( rule, error.line, error.column );
			if ( caret ) {
				add( 'pre', caret, 'taggate-rule-caret' );
			}
		}
	}

	window.taggate = window.taggate || {};
	window.taggate.settings = settings;
	window.taggate.validate = validate;
	window.taggate.caretLine = caretLine;
	window.taggate.useRuleCheck = useRuleCheck;
	window.taggate.RuleStatus = RuleStatus;
	window.taggate.renderStatus = renderStatus;
} )( window.wp, window.taggateEditorSettings );
