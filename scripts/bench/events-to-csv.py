"""Turns a generated events.jsonl into the kind of CSV audit export other systems
hand over (one row an event, before/after as JSON text), for the mapped-source
benchmark. Usage: events-to-csv.py EVENTS.jsonl OUT.csv. Stubs are left out."""
import csv
import json
import sys

COLUMNS = ["EventId", "Time", "UserId", "UserType", "UserName", "UserEmail", "Action",
           "Category", "RecordType", "RecordId", "RecordName", "Result", "IP", "Before", "After"]
RESULT = {"success": "OK", "failure": "FAIL", "denied": "403"}

with open(sys.argv[1], encoding="utf-8") as src, open(sys.argv[2], "w", newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for line in src:
        event = json.loads(line)
        if event.get("omitted"):
            continue
        actor = event.get("actor") or {}
        target = event.get("target") or {}
        source = event.get("source") or {}
        writer.writerow([
            event["id"], event["ts"], actor.get("id"), actor.get("type"), actor.get("name"),
            actor.get("email", ""), event["action"], event.get("category", ""),
            target.get("type", ""), target.get("id", ""), target.get("name", ""),
            RESULT[event["outcome"]], source.get("ip", ""),
            "" if event.get("before") is None else json.dumps(event["before"], separators=(",", ":")),
            "" if event.get("after") is None else json.dumps(event["after"], separators=(",", ":")),
        ])
