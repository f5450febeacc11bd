#!/usr/bin/env bash
# A live local TagGate site: the stack, demo content (a course with lessons
# gated by CRM-tag rules, demo subscribers), the webhook secret and CRM key,
# then everything needed to try it. Idempotent: run it as often as you like.
#
#   scripts/demo.sh          (after building the extension: make build)
#   scripts/stack.sh down    to stop
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXT_SO="${TAGGATE_EXT_SO:-$ROOT/target/release/libtaggate.so}"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo -E"

if [ ! -f "$EXT_SO" ]; then
	echo "demo: building the extension first" >&2
	if [ -f Makefile ]; then make build >&2; else cargo build --release >&2; fi
fi

$SUDO bash scripts/stack.sh up
eval "$($SUDO bash scripts/stack.sh env)"
$SUDO bash scripts/stack.sh wp demo >/dev/null

HOOK="$TAGGATE_URL/wp-json/taggate/v1/webhook"
BODY='{"command":"tags.add","contact":{"email":"cleo@example.test"},"tags":["Course A"]}'

# Prove the endpoint answers a signed delivery before telling anyone to use it.
PING='{"command":"ping"}'
check="$(curl -sS -H 'Content-Type: application/json' \
	-K <(TAGGATE_WEBHOOK_SECRET="$TAGGATE_WEBHOOK_SECRET" php -d extension="$EXT_SO" scripts/sign.php "$PING") \
	--data-raw "$PING" "$HOOK")"
case "$check" in
	*'"ok":true'*) ;;
	*) echo "demo: the webhook endpoint did not accept a signed ping: $check" >&2; exit 1 ;;
esac

cat <<EOF

  TagGate demo site is up.

  Site:            $TAGGATE_URL/            (same site without the extension: $TAGGATE_URL_NOEXT/)
  Course page:     $TAGGATE_URL/course-a/   (lessons gated by "Course A", "Course A" for 7d,
                                             any(vip, "Course A") and none(refunded))
  Admin:           $TAGGATE_URL/wp-admin/   user: $TAGGATE_ADMIN_USER   password: $TAGGATE_ADMIN_PASSWORD
  Demo members:    ana / demo-ana  (Course A, 8 days ago)   ben / demo-ben  (VIP)   cleo / demo-cleo  (no tags)

  Webhook URL:     $HOOK
  Webhook secret:  $TAGGATE_WEBHOOK_SECRET   (scheme: standard)

  Give cleo the "Course A" tag with a signed webhook (signed when it runs, so it never goes stale):

BODY='$BODY'; curl -sS -H 'Content-Type: application/json' -K <(TAGGATE_WEBHOOK_SECRET='$TAGGATE_WEBHOOK_SECRET' php -d extension='$EXT_SO' '$ROOT/scripts/sign.php' "\$BODY") --data-raw "\$BODY" '$HOOK'; echo

  CRM URL (generic adapter; for ActiveCampaign, Keap, … pick the adapter in Settings > TagGate):

    $TAGGATE_URL/wp-json/taggate/v1/crm/tags.add?key=$TAGGATE_CRM_KEY&tags=VIP

curl -sS -d 'email=cleo@example.test' '$TAGGATE_URL/wp-json/taggate/v1/crm/tags.add?key=$TAGGATE_CRM_KEY&tags=VIP'; echo

  E-mails (password resets) land in $TAGGATE_MAIL_DIR
  Stop everything: scripts/stack.sh down

EOF
