#!/usr/bin/python3
"""The chat routes of connd/chat through a real web server, without a WhatsApp connection
(evolution-api.md §1, §3.2): for every route, Evolution's 400 envelope with the jsonschema-style
response.message list for bad bodies (missing, mistyped and out-of-enum properties, malformed
JSON), 404 for an unknown instance, 401 without a key, the 400 ["Error: Connection Closed"] that
sendText gives for an instance that is not open, and empty findContacts / findChats answers.
Nothing is changed by a refused request (the instance's chats and contacts stay empty).
Usage: test_chat_rest.py [lighttpd|apache]. Exit 77 when the web server is missing.
The WhatsApp side of these routes is integration/wa_chat."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import stack  # noqa: E402

FAILS = []
PEER = "15551234567"
PEER_JID = PEER + "@s.whatsapp.net"


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def rest(st, method, path, body=None, key=True, raw=None):
    headers = {"content-type": "application/json"}
    if key:
        headers["apikey"] = st.api_key
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    status, _, out = st.request(method, path, headers=headers, body=data, timeout=20)
    try:
        return status, json.loads(out) if out else None
    except ValueError:
        return status, out


def messages_of(doc):
    return (doc or {}).get("response", {}).get("message") if isinstance(doc, dict) else None


def validation(st):
    cases = [
        ("whatsappNumbers", {}, 'instance requires property "numbers"'),
        ("whatsappNumbers", {"numbers": []}, "numbers does not meet minimum length of 1"),
        ("whatsappNumbers", {"numbers": ["1", 2]}, "numbers[1] is not of a type(s) string"),
        ("markMessageAsRead", {}, 'instance requires property "readMessages"'),
        ("markMessageAsRead", {"readMessages": [{"fromMe": False, "remoteJid": PEER_JID}]},
         'readMessages[0] requires property "id"'),
        ("sendPresence", {"number": PEER, "presence": "typing", "delay": 1},
         "presence is not one of enum values: unavailable,available,composing,recording,paused"),
        ("sendPresence", {"number": PEER, "presence": "composing"}, 'instance requires property "delay"'),
        ("fetchProfilePictureUrl", {}, 'instance requires property "number"'),
        ("fetchProfilePictureUrl", {"number": "abc"}, "Invalid format"),
        ("findContacts", {"where": []}, "where is not of a type(s) object"),
        ("findChats", {"where": {"messageTimestamp": {"gte": "soon"}}},
         "where.messageTimestamp.gte is not of a type(s) date"),
    ]
    for route, body, msg in cases:
        s, doc = rest(st, "POST", "/chat/%s/cc1" % route, body)
        check(s == 400 and isinstance(doc, dict) and doc.get("status") == 400 and
              doc.get("error") == "Bad Request" and msg in (messages_of(doc) or []),
              "%s %s -> 400 [%s] (%s)" % (route, json.dumps(body)[:60], msg, json.dumps(doc)[:160]))
    s, doc = rest(st, "POST", "/chat/findChats/nosuch", {})
    check(s == 404, "unknown instance -> 404 (%s)" % s)
    closed = {"whatsappNumbers": {"numbers": [PEER]},
              "markMessageAsRead": {"readMessages": [{"id": "X", "fromMe": False, "remoteJid": PEER_JID}]},
              "sendPresence": {"number": PEER, "presence": "composing", "delay": 0},
              "fetchProfilePictureUrl": {"number": PEER}}
    for route, body in closed.items():
        s, doc = rest(st, "POST", "/chat/%s/cc1" % route, body)
        check(s == 400 and messages_of(doc) == ["Error: Connection Closed"],
              "%s on a closed instance -> 400 Connection Closed, as sendText (%s)" % (route, json.dumps(doc)[:120]))
    s, doc = rest(st, "POST", "/chat/findChats/cc1", {})
    check(s == 200 and doc == [], "findChats of an instance without messages -> 200 [] (%s)" % doc)
    s, doc = rest(st, "POST", "/chat/findContacts/cc1", {})
    check(s == 200 and doc == [], "findContacts without contacts -> 200 []")


def more(st):
    for route in ("whatsappNumbers", "markMessageAsRead", "sendPresence", "fetchProfilePictureUrl",
                  "findContacts", "findChats"):
        s, doc = rest(st, "POST", "/chat/%s/cc1" % route, raw=b'{"a":')
        check(s == 400 and str((messages_of(doc) or [""])[0]).startswith("Malformed JSON body"),
              "%s malformed JSON -> 400" % route)
        s, doc = rest(st, "POST", "/chat/%s/cc1" % route, {}, key=False)
        check(s == 401, "%s without a key -> 401" % route)
        s, _ = rest(st, "GET", "/chat/%s/cc1" % route)
        check(s == 405, "GET %s -> 405" % route)
    s, doc = rest(st, "POST", "/chat/findChats/cc1", {})
    check(s == 200 and doc == [], "refused requests changed nothing: findChats still []")


def main(argv):
    front = argv[1] if len(argv) > 1 else "lighttpd"
    st = stack.Stack(front)
    try:
        st.start()
    except stack.Skip as e:
        print("SKIP: %s" % e)
        return 77
    try:
        s, _ = rest(st, "POST", "/instance/create", {"instanceName": "cc1", "integration": "WHATSAPP-BAILEYS"})
        check(s == 201, "create cc1 -> 201")
        validation(st)
        more(st)
        reports = st.sanitizer_reports()
        check(not reports, "no sanitizer report")
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        FAILS.append(str(e))
    finally:
        if FAILS:
            st.dump_logs(60)
        st.stop()
    print("%d failure(s)" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
