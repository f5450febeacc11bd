/**
 * TagGate: the "TagGate access" panel of the block editor's document
 * settings. Edits the post's rule (REST field taggate_rule), checks it as it
 * is typed, and locks saving while it is invalid.
 */
( function ( wp, taggate ) {
	'use strict';

	if ( ! wp || ! wp.plugins || ! wp.editPost || ! wp.editPost.PluginDocumentSettingPanel || ! taggate ) {
		return;
	}

	var el = wp.element.createElement;
	var useEffect = wp.element.useEffect;
	var __ = wp.i18n.__;
	var useSelect = wp.data.useSelect;
	var useDispatch = wp.data.useDispatch;
	var TextareaControl = wp.components.TextareaControl;
	var LOCK = 'taggate-post-rule';

	function RulePanel() {
		var data = useSelect( function ( select ) {
			var editor = select( 'core/editor' );
			return {
				rule: editor.getEditedPostAttribute( 'taggate_rule' ),
				postId: editor.getCurrentPostId()
			};
		}, [] );
		var editor = useDispatch( 'core/editor' );
		var supported = typeof data.rule === 'string';
		var rule = supported ? data.rule : '';
		var check = taggate.useRuleCheck( rule, data.postId, true );
		var invalid = supported && check.state === 'invalid';

		useEffect( function () {
			if ( invalid ) {
				editor.lockPostSaving( LOCK );
			} else {
				editor.unlockPostSaving( LOCK );
			}
		}, [ invalid ] );
		useEffect( function () {
			return function () {
				editor.unlockPostSaving( LOCK );
			};
		}, [] );

		if ( ! supported ) {
			return el( 'p', null, __( 'This post type has no TagGate rule field in the REST API.', 'taggate' ) );
		}

		return el(
			'div',
			{ className: 'taggate-rule-panel' },
			el( TextareaControl, {
				label: __( 'Who may read this (rule)', 'taggate' ),
				className: 'taggate-rule-input',
				value: rule,
				rows: 3,
				spellCheck: false,
				placeholder: __( 'e.g. any(gold, silver) and not refunded', 'taggate' ),
				help: __( 'Empty: everyone. Otherwise only logged-in users whose tags match the rule; administrators always.', 'taggate' ),
				onChange: function ( value ) {
					editor.editPost( { taggate_rule: value } );
				}
			} ),
			el( taggate.RuleStatus, { rule: rule, result: check } ),
			invalid ? el( 'p', { className: 'taggate-rule-locked' }, __( 'Saving is disabled until the rule is fixed or emptied.', 'taggate' ) ) : null
		);
	}

	wp.plugins.registerPlugin( 'taggate-rule', {
		icon: 'lock',
		render: function () {
			return el(
				wp.editPost.PluginDocumentSettingPanel,
				{ name: 'taggate-rule', title: __( 'TagGate access', 'taggate' ), className: 'taggate-rule-document-panel', initialOpen: true },
				el( RulePanel )
			);
		}
	} );
} )( window.wp, window.taggate );
