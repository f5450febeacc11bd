"""Signature peer for the interoperability tests: real third-party libraries
(standardwebhooks, stripe) sign and verify what the extension verifies and
signs. Reads one JSON request on stdin, writes one JSON answer on stdout."""
import json
import sys
from datetime import datetime, timezone

import stripe
from standardwebhooks.webhooks import Webhook


def main() -> None:
    req = json.load(sys.stdin)
    op, lib = req["op"], req["lib"]
    body = req["body"]
    if lib == "standardwebhooks":
        wh = Webhook(req["secret"])
        if op == "sign":
            ts = datetime.fromtimestamp(req["timestamp"], tz=timezone.utc)
            sig = wh.sign(req["id"], ts, body)
            print(json.dumps({"headers": {"webhook-id": req["id"], "webhook-timestamp": str(req["timestamp"]), "webhook-signature": sig}}))
        else:
            try:
                wh.verify(body, req["headers"])
                print(json.dumps({"ok": True}))
            except Exception as e:  # the peer's own failure type
                print(json.dumps({"ok": False, "error": type(e).__name__}))
    elif lib == "stripe":
        if op == "sign":
            payload = f"{req['timestamp']}.{body}"
            sig = stripe.WebhookSignature._compute_signature(payload, req["secret"])
            print(json.dumps({"headers": {"Stripe-Signature": f"t={req['timestamp']},v1={sig}"}}))
        else:
            try:
                stripe.WebhookSignature.verify_header(body, req["headers"]["Stripe-Signature"], req["secret"], tolerance=None)
                print(json.dumps({"ok": True}))
            except Exception as e:
                print(json.dumps({"ok": False, "error": type(e).__name__}))
    else:
        raise SystemExit(f"unknown lib {lib}")


main()
