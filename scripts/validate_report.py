#!/usr/bin/python3
"""Validate pushbench JSON reports against core/report.schema.json.

Usage: validate_report.py SCHEMA REPORT [REPORT...]

Prints one line per report: "REPORT: OK", or "REPORT: INVALID (N errors)"
followed by one indented line per error with its JSON path.

Exit status: 0 all reports valid, 1 at least one report invalid,
2 the schema or a report could not be read or is not valid JSON
(or the schema itself is not a valid JSON Schema).
"""

import argparse
import json
import re
import sys

try:
    import jsonschema
    from jsonschema.validators import validator_for
except ImportError:  # pragma: no cover - environment problem
    sys.stderr.write("validate_report.py: error: python module 'jsonschema' is not installed "
                     "(apt-get install python3-jsonschema)\n")
    sys.exit(2)

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def json_path(parts):
    """Render a jsonschema error path (deque of keys/indices) as $.a.b[0]."""
    out = "$"
    for p in parts:
        if isinstance(p, int):
            out += "[%d]" % p
        elif _IDENT.match(p):
            out += "." + p
        else:
            out += "[" + json.dumps(p) + "]"
    return out


def load_json(path, what):
    """Return (data, None) or (None, message)."""
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f), None
    except OSError as e:
        return None, "cannot read %s '%s': %s" % (what, path, e.strerror or e)
    except UnicodeDecodeError as e:
        return None, "%s '%s' is not UTF-8 text: %s" % (what, path, e)
    except json.JSONDecodeError as e:
        return None, "%s '%s' is not valid JSON: %s (line %d, column %d)" % (
            what, path, e.msg, e.lineno, e.colno)


def leaf_errors(error):
    """Expand anyOf/oneOf errors to the most specific sub-errors so the path is useful."""
    if error.context:
        best = jsonschema.exceptions.best_match(error.context)
        if best is not None and len(best.absolute_path) > len(error.absolute_path):
            return leaf_errors(best)
    return [error]


def describe(error):
    msg = error.message
    if error.validator == "pattern" and isinstance(error.schema, dict) and error.schema.get("description"):
        # the raw regular expression is unreadable; the schema's description says what is expected
        msg = "%r is not in the expected format: %s" % (error.instance, error.schema["description"])
    elif error.validator == "const":
        msg = "%s must be %s" % (json.dumps(error.instance), json.dumps(error.validator_value))
        if isinstance(error.schema, dict) and error.schema.get("description"):
            msg += " (%s)" % error.schema["description"]
    if len(msg) > 300:
        msg = msg[:297] + "..."
    return "%s: %s" % (json_path(error.absolute_path), msg)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Validate pushbench JSON reports against a JSON Schema.")
    ap.add_argument("schema", metavar="SCHEMA", help="path to report.schema.json")
    ap.add_argument("reports", metavar="REPORT", nargs="+", help="report JSON file(s)")
    args = ap.parse_args(argv)

    schema, err = load_json(args.schema, "schema")
    if err:
        print("validate_report.py: error: " + err, file=sys.stderr)
        return 2
    cls = validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print("validate_report.py: error: schema '%s' is not a valid JSON Schema: %s at %s"
              % (args.schema, e.message, json_path(e.absolute_path)), file=sys.stderr)
        return 2
    validator = cls(schema)

    status = 0
    for path in args.reports:
        report, err = load_json(path, "report")
        if err:
            print("%s: ERROR %s" % (path, err))
            status = 2
            continue
        lines = set()
        for e in validator.iter_errors(report):
            for leaf in leaf_errors(e):
                lines.add((tuple((0, p, "") if isinstance(p, int) else (1, 0, str(p))
                                for p in leaf.absolute_path), describe(leaf)))
        if not lines:
            print("%s: OK" % path)
            continue
        print("%s: INVALID (%d error%s)" % (path, len(lines), "" if len(lines) == 1 else "s"))
        for _, line in sorted(lines):
            print("  " + line)
        if status == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
