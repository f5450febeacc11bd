/**
 * TagGate: live checking of the rule in the classic editor's meta box.
 */
( function ( taggate ) {
	'use strict';

	if ( ! taggate ) {
		return;
	}

	function init() {
		var field = document.getElementById( 'taggate-rule-field' );
		if ( ! field ) {
			return;
		}
		var box = field.closest( '.inside' ) || field.parentNode;
		var status = box.querySelector( '.taggate-rule-status' );
		var postId = parseInt( field.getAttribute( 'data-post-id' ), 10 ) || 0;
		var timer = null;
		var seq = 0;

		function check() {
			var rule = field.value;
			var mine = ++seq;
			if ( ! rule.trim() ) {
				taggate.renderStatus( status, rule, { state: 'empty' } );
				return;
			}
			taggate.renderStatus( status, rule, { state: 'checking' } );
			taggate.validate( rule, postId ).then( function ( res ) {
				if ( mine !== seq ) {
					return;
				}
				taggate.renderStatus( status, rule, res.valid ? { state: 'valid', canonical: res.canonical } : { state: 'invalid', error: res.error } );
			} );
		}

		field.addEventListener( 'input', function () {
			clearTimeout( timer );
			timer = setTimeout( check, 300 );
		} );
		check();
	}

	if ( document.readyState === 'loading' ) {
		document.addEventListener( 'DOMContentLoaded', init );
	} else {
		init();
	}
} )( window.taggate );
