#!/usr/bin/env python3
"""The read API against its OpenAPI document: validates docs/openapi.json (openapi-spec-validator),
checks that a live `spur console` serves exactly that document, then runs schemathesis against the
live API with a read key: no server error, no response that violates the document.

    scripts/api_check.py --spur .build/debug/spur [--max-examples 40]
Needs openapi-spec-validator and schemathesis from PyPI (.ci/run installs them). Loopback only.
"""
import argparse, json, os, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = 1_793_613_600_000  # 2026-11-02T10:00:00Z
FAILURES = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""), flush=True)
    if not ok:
        FAILURES.append(name)


def events():
    def ev(i, type, day, minute=0, **fields):
        e = {"id": f"api-{i}", "ts": BASE + (day - 1) * 86_400_000 + minute * 60_000, "type": type, "node": "api"}
        e.update(fields)
        return e
    anna = "anna@example.org"
    return [
        ev(1, "form", 1, visitor="v-1", url="https://shop.example/newsletter", props={"form": "newsletter"}),
        ev(2, "open", 2, lead=anna, campaign="nl-47"),
        ev(3, "click", 2, 1, lead=anna, visitor="v-1", campaign="nl-47",
           url="https://shop.example/malbedarf/pinsel?utm_source=newsletter&utm_medium=email&utm_campaign=nl-47"),
        ev(5, "identify", 3, lead=anna, visitor="v-1", props={"birthday": "1980-05-01"}),
        ev(6, "pageview", 4, visitor="v-1", url="https://shop.example/produkte/farben/acryl?utm_source=google"),
        ev(9, "pageview", 7, visitor="v-1", url="https://shop.example/filialen"),
        ev(10, "open", 3, lead="bob@example.org", campaign="nl-47", flags=["proxy_open"]),
        ev(11, "click", 5, lead="bob@example.org", campaign="nl-48", url="https://shop.example/garten/schlauch", title="<b>x</b>"),
        ev(12, "download", 6, lead="carl@example.org", campaign="nl-48", url="https://shop.example/katalog.pdf"),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spur", required=True)
    ap.add_argument("--max-examples", type=int, default=40)
    args = ap.parse_args()
    spur = os.path.abspath(args.spur)

    from openapi_spec_validator import validate
    from openapi_spec_validator.readers import read_from_filename
    try:
        validate(read_from_filename(ROOT + "/docs/openapi.json")[0])
        check("docs/openapi.json is a valid OpenAPI 3.1 document", True)
    except Exception as e:  # the validator's own exception types differ between versions
        check("docs/openapi.json is a valid OpenAPI 3.1 document", False, str(e)[:500])

    work = tempfile.mkdtemp(prefix="spur-api-check-")
    data = work + "/data"
    os.makedirs(data + "/segments")
    run = lambda *a, **kw: subprocess.run([spur, *a], capture_output=True, text=True, timeout=120, **kw)
    r = run("segments", "import", "--data", data, "-", input="".join(json.dumps(e) + "\n" for e in events()))
    check("events imported", r.returncode == 0, r.stderr)
    with open(work + "/audiences.yaml", "w") as f:
        f.write("audiences:\n  - name: openers\n    when: {opened: any}\n  - name: mql\n    when: {stage: mql}\n")
    r = run("aggregate", "--data", data, "--as-of", "2026-11-08", "--audiences", work + "/audiences.yaml", "--quiet")
    check("aggregated", r.returncode == 0, r.stdout + r.stderr)
    r = run("keys", "add", "schemathesis", "--scope", "read", "--data", data)
    key = r.stdout.strip()
    check("read key made", r.returncode == 0 and key.startswith("spur_"), r.stderr)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    console = subprocess.Popen([spur, "console", "--data", data, "--port", str(port), "--api-rate-limit", "1000000", "--log-level", "error"],
                               stdout=subprocess.DEVNULL, stderr=open(work + "/console.log", "w"))
    try:
        url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
        served = None
        for _ in range(100):
            try:
                served = urllib.request.urlopen(url, timeout=2).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        with open(ROOT + "/docs/openapi.json") as f:
            check("the console serves docs/openapi.json", served is not None and served == f.read())
        r = subprocess.run(
            ["schemathesis", "run", url, "--header", f"Authorization: Bearer {key}", "--checks", "all",
             # A cursor is opaque: a string the schema allows is still refused (400, documented) unless the API handed it out.
             "--exclude-checks", "positive_data_acceptance", "--max-examples", str(args.max_examples),
             "--generation-deterministic",
             "--request-timeout", "10", "--max-failures", "20", "--warnings", "off", "--output-truncate", "true"],
            capture_output=True, text=True, timeout=900)
        print(r.stdout[-6000:])
        check("schemathesis finds no server error and no response that violates the document", r.returncode == 0, r.stderr[-2000:])
    finally:
        console.terminate()
        console.wait(timeout=20)
    print("FAILED: " + ", ".join(FAILURES) if FAILURES else "all checks passed")
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
