"""Writes a standard facilitator verify body signed by the official x402 client.

usage: python make_body.py OUT_FILE NETWORK ASSET PAY_TO AMOUNT PRIVATE_KEY_HEX
"""
import json
import sys

from eth_account import Account
from x402 import x402ClientSync
from x402.mechanisms.evm.exact import register_exact_evm_client
from x402.schemas import PaymentRequired

out, network, asset, pay_to, amount, key = sys.argv[1:7]
client = x402ClientSync()
register_exact_evm_client(client, Account.from_key(key))
client.set_spend_controls(False)
required = PaymentRequired.model_validate({
    "x402Version": 2, "resource": {"url": "http://127.0.0.1/bench"},
    "accepts": [{"scheme": "exact", "network": network, "amount": amount, "asset": asset, "payTo": pay_to,
                 "maxTimeoutSeconds": 3600, "extra": {"name": "USD Coin", "version": "2"}}]})
payload = client.create_payment_payload(required)
with open(out, "w") as f:
    json.dump({"x402Version": 2, "paymentPayload": payload.model_dump(by_alias=True, exclude_none=True),
               "paymentRequirements": required.accepts[0].model_dump(by_alias=True, exclude_none=True)}, f)
