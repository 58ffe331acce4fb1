#!/usr/bin/env python3
"""Regenerates events/*.json: API Gateway HTTP API (payload v2) events for local invocation
and handler tests. Run from the repo root: python3 scripts/make-events.py"""
import copy, json, pathlib

META = {"version": "1.0", "orgId": "LENDER-ABC", "timestamp": "2024-05-01T10:15:30.120Z",
        "traceId": "e8cc6822-d4bb-4eb1-9e1b-4996fbff8acb"}
BODIES = {
    "loan-acceptance": ("/v3/loan/triggerLoanAcceptanceResponse", {
        "metadata": META, "requestId": "i8cc6822bd4bbb4eb1b9e1b4996fbff8acb", "response": {"error": "0"},
        "credBlock": [{"type": "OTP", "data": {"otpSessionKey": "otp-session-7f3a9c1e",
                        "maskedPhoneNumber": "XXXXXXX775", "appToken": "app-token-5b2d8e4f",
                        "otp": None, "status": None, "url": None}}]}),
    "disbursement": ("/v3/disbursement/triggerDisbursementResponse", {
        "metadata": META, "requestId": "e8cc6822bd4bbb4eb1b9e1b4996fbff8acb", "response": {"error": "0"},
        "loanId": "LOAN-2024-000123",
        "payment": {"id": "e8cc6822bd4bbb4eb1b9e1b4996fbff8acb", "date": "2024-05-01T10:15:00+05:30",
                    "totalAmount": "10000.00", "principal": "10000.00", "status": "SUCCESS",
                    "useSavedPaymentOption": False, "paymentMethodType": "NETBANKING",
                    "txnRefNo": "004618602124", "extensibleData": {"utr": "UTR123"}}}),
    "consent-handle": ("/v3/consent/consentHandleResponse", {
        "metadata": META, "requestId": "c8cc6822bd4bbb4eb1b9e1b4996fbff8acb", "response": {"error": "0"},
        "consent": {"consentHandle": "39e108fe-9243-11e8-b9f2-0256d88baae8", "consentStatus": "READY",
                    "consentFetchType": "ONETIME", "vua": "user@aa.in"}}),
}


def event(path, body, method="POST", raw=None):
    text = raw if raw is not None else json.dumps(body)
    return {
        "version": "2.0", "routeKey": f"{method} {path}", "rawPath": path, "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "callbacks.example.com",
                    "user-agent": "lender-gateway/1.0", "x-forwarded-proto": "https"},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abcdef1234", "domainName": "callbacks.example.com",
            "domainPrefix": "callbacks", "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                                                   "sourceIp": "203.0.113.10", "userAgent": "lender-gateway/1.0"},
            "requestId": "JKJaXmPLvHcESHA=", "routeKey": f"{method} {path}", "stage": "$default",
            "time": "01/May/2024:04:45:30 +0000", "timeEpoch": 1714538730120},
        "body": text, "isBase64Encoded": False,
    }


def main():
    out = pathlib.Path(__file__).resolve().parent.parent / "events"
    out.mkdir(exist_ok=True)
    files = {}
    for name, (path, body) in BODIES.items():
        files[f"{name}-valid.json"] = event(path, body)
    lp, lb = BODIES["loan-acceptance"]
    single = copy.deepcopy(lb); single["credBlock"] = single["credBlock"][0]; single["requestId"] = "i8cc-single-credblock"
    files["loan-acceptance-credblock-object.json"] = event(lp, single)
    bad = copy.deepcopy(lb); del bad["credBlock"][0]["data"]["otpSessionKey"]; bad["requestId"] = "i8cc-warning-no-session-key"
    files["loan-acceptance-warning-no-session-key.json"] = event(lp, bad)
    dp, db = BODIES["disbursement"]
    files["disbursement-capitalised-path.json"] = event("/v3/disbursement/TriggerDisbursementResponse", db)
    bad = copy.deepcopy(db); del bad["payment"]["txnRefNo"]; bad["requestId"] = "e8cc-warning-no-txnrefno"
    files["disbursement-warning-success-without-txnrefno.json"] = event(dp, bad)
    bad = copy.deepcopy(db); bad["payment"]["status"] = "DONE"
    files["disbursement-invalid-status-enum.json"] = event(dp, bad)
    bad = copy.deepcopy(db); bad["metadata"] = dict(META, version="9.9")
    files["disbursement-invalid-version.json"] = event(dp, bad)
    files["disbursement-invalid-malformed-json.json"] = event(dp, None, raw='{"metadata": {"version": "1.0",')
    files["disbursement-invalid-get.json"] = event(dp, None, method="GET", raw="")
    cp, cb = BODIES["consent-handle"]
    bad = copy.deepcopy(cb); del bad["consent"]["consentHandle"]; bad["requestId"] = "c8cc-warning-no-handle"
    files["consent-handle-warning-ready-without-handle.json"] = event(cp, bad)
    bad = copy.deepcopy(cb); del bad["metadata"]["orgId"]
    files["consent-handle-invalid-missing-org-id.json"] = event(cp, bad)
    for name, ev in files.items():
        (out / name).write_text(json.dumps(ev, indent=2) + "\n")
    print(f"wrote {len(files)} events to {out}")


if __name__ == "__main__":
    main()
