#!/usr/bin/env python3
"""Writes N pre-signed Cloud API webhook bodies, one per line, as
"<X-Hub-Signature-256>\t<body>", each with a unique message id and one of
M customers. wrk's Lua script cycles through them (wrk cannot sign)."""
import hashlib, hmac, json, sys

def main():
    if len(sys.argv) != 5:
        sys.exit("usage: gen_bodies.py APP_SECRET COUNT CUSTOMERS OUT")
    secret, count, customers, out = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(out, "w") as f:
        for i in range(count):
            wa_id = "52155%07d" % (i % customers)
            body = json.dumps({
                "object": "whatsapp_business_account",
                "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                    "contacts": [{"profile": {"name": "Bench Customer"}, "wa_id": wa_id}],
                    "messages": [{"from": wa_id, "id": "wamid.bench%09d" % i, "timestamp": "1732406400",
                                  "type": "text", "text": {"body": "Hola, quiero información sobre sus planes"}}],
                }}]}],
            }, separators=(",", ":"))
            sig = "sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
            f.write(sig + "\t" + body + "\n")

main()
