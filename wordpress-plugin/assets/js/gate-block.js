/**
 * TagGate: the editor side of the taggate/gate and taggate/otherwise blocks.
 * The blocks are rendered on the server; here they are edited: a rule,
 * checked as it is typed, the members-only blocks, and optionally what
 * everyone else sees.
 */
( function ( wp, taggate ) {
	'use strict';

	if ( ! wp || ! wp.blocks || ! wp.blockEditor || ! taggate ) {
		return;
	}

	var el = wp.element.createElement;
	var useEffect = wp.element.useEffect;
	var __ = wp.i18n.__;
	var be = wp.blockEditor;
	var InnerBlocks = be.InnerBlocks;
	var useBlockProps = be.useBlockProps;
	var InspectorControls = be.InspectorControls;
	var components = wp.components;
	var useSelect = wp.data.useSelect;
	var useDispatch = wp.data.useDispatch;

	function currentPostId( select ) {
		var editor = select( 'core/editor' );
		return editor && editor.getCurrentPostId ? editor.getCurrentPostId() : 0;
	}

	function GateEdit( props ) {
		var rule = props.attributes.rule || '';
		var clientId = props.clientId;
		var data = useSelect( function ( select ) {
			var children = select( 'core/block-editor' ).getBlocks( clientId );
			return {
				postId: currentPostId( select ),
				hasOtherwise: children.some( function ( b ) {
					return b.name === 'taggate/otherwise';
				} )
			};
		}, [ clientId ] );
		var check = taggate.useRuleCheck( rule, data.postId, false );
		var invalid = check.state === 'invalid';
		var editor = useDispatch( 'core/editor' );
		var blockEditor = useDispatch( 'core/block-editor' );
		var lock = 'taggate-block-' + clientId;

		useEffect( function () {
			if ( ! editor || ! editor.lockPostSaving ) {
				return;
			}
			if ( invalid ) {
				editor.lockPostSaving( lock );
			} else {
				editor.unlockPostSaving( lock );
			}
		}, [ invalid ] );
		useEffect( function () {
			return function () {
				if ( editor && editor.unlockPostSaving ) {
					editor.unlockPostSaving( lock );
				}
			};
		}, [] );

		function setRule( value ) {
			props.setAttributes( { rule: value } );
		}

		function addOtherwise() {
			var block = wp.blocks.createBlock( 'taggate/otherwise', {}, [ wp.blocks.createBlock( 'core/paragraph', {} ) ] );
			blockEditor.insertBlock( block, undefined, clientId );
		}

		var blockProps = useBlockProps( {
			className: 'taggate-gate-editor' + ( invalid ? ' is-invalid' : '' )
		} );

		return el(
			'div',
			blockProps,
			el(
				InspectorControls,
				null,
				el(
					components.PanelBody,
					{ title: __( 'Rule', 'taggate' ), initialOpen: true },
					el( components.TextareaControl, {
						label: __( 'Shown to users who pass', 'taggate' ),
						value: rule,
						rows: 3,
						spellCheck: false,
						onChange: setRule,
						help: __( 'Logged-in users whose tags match the rule see the blocks inside; everyone else sees the "otherwise" section, if any. Administrators always pass.', 'taggate' )
					} ),
					el( taggate.RuleStatus, { rule: rule, result: check } )
				)
			),
			el(
				'div',
				{ className: 'taggate-gate-editor__header' },
				el( 'span', { className: 'taggate-gate-editor__title dashicons-before dashicons-lock' }, __( 'Members only', 'taggate' ) ),
				el( components.TextControl, {
					className: 'taggate-gate-rule',
					label: __( 'Rule', 'taggate' ),
					hideLabelFromVision: true,
					placeholder: __( 'Rule, e.g. vip and not refunded', 'taggate' ),
					value: rule,
					onChange: setRule
				} ),
				el( taggate.RuleStatus, { rule: rule, result: check } )
			),
			el( InnerBlocks, {
				templateLock: false,
				template: [ [ 'core/paragraph', { placeholder: __( 'What members see…', 'taggate' ) } ] ]
			} ),
			data.hasOtherwise
				? null
				: el(
						components.Button,
						{ variant: 'secondary', isSmall: true, className: 'taggate-gate-editor__add-otherwise', onClick: addOtherwise },
						__( 'Add what everyone else sees', 'taggate' )
				  )
		);
	}

	function OtherwiseEdit() {
		return el(
			'div',
			useBlockProps( { className: 'taggate-otherwise-editor' } ),
			el( 'div', { className: 'taggate-otherwise-editor__label' }, __( 'Everyone else sees:', 'taggate' ) ),
			el( InnerBlocks, {
				templateLock: false,
				template: [ [ 'core/paragraph', { placeholder: __( 'What everyone else sees…', 'taggate' ) } ] ]
			} )
		);
	}

	function saveInner() {
		return el( InnerBlocks.Content );
	}

	wp.blocks.registerBlockType( 'taggate/gate', { edit: GateEdit, save: saveInner } );
	wp.blocks.registerBlockType( 'taggate/otherwise', { edit: OtherwiseEdit, save: saveInner } );
} )( window.wp, window.taggate );
