#!/usr/bin/env python3
"""Consent in a real, headless Chromium (docs/consent.md).

Starts `spur serve --consent required` and `--consent strict` next to a static test site on
loopback. For each consent management platform of docs/consent.md it serves a page with the
snippet taken from that document and a small stand-in banner that speaks the platform's
documented API, then checks in the browser and in the segments: a first visit sets no cookie and
stores no visitor id; accepting sets the cookie and the next page view carries the visitor id;
withdrawing removes it. Also: strict mode stores nothing before consent, and the no-JS pixel
honours the consent cookie.

    scripts/consent_e2e.py --spur .build/debug/spur
Needs Debian's chromium + chromium-driver and Python's selenium. Loopback only, bounded in time.
"""
import functools, http.server, json, os, re, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_e2e import browser, check, free_port, quit_all, script_arguments, stop, wait_healthy, wait_until, RESULTS  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def snippets():
    """The `<!-- snippet: NAME -->` code blocks of docs/consent.md, by name."""
    text = open(os.path.join(ROOT, "docs", "consent.md"), encoding="utf-8").read()
    return {m.group(1): m.group(2) for m in re.finditer(r"<!-- snippet: ([a-z-]+) -->\s*```html\n(.*?)```", text, re.S)}


# Stand-ins: each implements just the API surface of docs/consent.md's snippet, the way the
# platform documents it, and remembers the choice in localStorage as the real ones do.
STAND_INS = {
    "cookiebot": """
      function cmpApply(granted) {
        window.Cookiebot = { consent: { necessary: true, statistics: granted } };
        window.dispatchEvent(new Event("CookiebotOnConsentReady"));
      }""",
    "usercentrics": """
      function cmpApply(granted) {
        var detail = { event: "consent_status", action: granted ? "onAcceptAllServices" : "onDenyAllServices", type: "explicit",
                       "Usercentrics Consent Management Platform": true, "Spur": granted, ucCategory: { essential: true } };
        window.dispatchEvent(new CustomEvent("ucEvent", { detail: detail }));
      }""",
    "borlabs": """
      function cmpApply(granted) {
        var code = document.getElementById(granted ? "optin" : "optout").textContent;
        var s = document.createElement("script"); s.textContent = code; document.body.appendChild(s);
      }""",
    "klaro": """
      function cmpApply(granted) {
        klaroConfig.services.forEach(function (service) { if (service.callback) service.callback(granted, service); });
      }""",
    "google-consent-mode": """
      function gtag() { dataLayer.push(arguments); }
      gtag("consent", "default", { analytics_storage: "denied" });
      function cmpApply(granted) { gtag("consent", "update", { analytics_storage: granted ? "granted" : "denied" }); }""",
}


def page(collector, cmp, snippet, name):
    queue = "<script>window.spur=window.spur||function(){(window.spur.q=window.spur.q||[]).push(arguments)};</script>"
    if cmp == "borlabs":
        # Borlabs keeps the opt-in/opt-out codes and runs them itself: here they wait as text.
        body_snippet = (f'<script type="text/plain" id="optin">{inner(snippet["borlabs-optin"])}</script>'
                        f'<script type="text/plain" id="optout">{inner(snippet["borlabs-optout"])}</script>')
        head_snippet = ""
    else:
        head_snippet, body_snippet = snippet[cmp], ""
    # The stand-in goes first where the snippet must see every update (Consent Mode: before the CMP).
    stand_in = f"<script>{STAND_INS[cmp]}</script>"
    ordered = (head_snippet + stand_in) if cmp == "google-consent-mode" else (stand_in + head_snippet)
    return f"""<!doctype html><html><head><title>{cmp} {name}</title>{queue}
<script defer src="{collector}/s.js"></script>{ordered}</head><body>{body_snippet}
<div id="banner"><button id="accept" onclick="localStorage.cmp='yes'; cmpApply(true)">Accept</button>
<button id="withdraw" onclick="localStorage.cmp='no'; cmpApply(false)">Withdraw</button></div>
<script>if (localStorage.cmp) cmpApply(localStorage.cmp === 'yes');</script>
</body></html>"""


def inner(html_script):
    return re.sub(r"^\s*<script>|</script>\s*$", "", html_script.strip())


def cookie(driver, name):
    return next((c["value"] for c in driver.get_cookies() if c["name"] == name), None)


def events_of(spur, data):
    out = subprocess.run([spur, "segments", "cat", "--data", data], check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def serve(spur, data, port, site, mode):
    collector = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([spur, "serve", "--data", data, "--port", str(port), "--node", "consent", "--commit-interval", "50ms",
                             "--public-url", collector, "--site-origin", site, "--consent", mode, "--log-level", "warning"])
    check(f"collector ({mode}) starts", wait_healthy(collector))
    return proc, collector


def main():
    args = script_arguments(300)

    docs = snippets()
    check("docs/consent.md has every platform's snippet",
          set(docs) == {"cookiebot", "usercentrics", "borlabs-optin", "borlabs-optout", "klaro", "google-consent-mode"}, f"{sorted(docs)}")
    work = tempfile.mkdtemp(prefix="spur-consent-")
    site_root = os.path.join(work, "site")
    os.makedirs(site_root)
    site_port = free_port()
    site = f"http://127.0.0.1:{site_port}"
    data, strict_data = os.path.join(work, "data"), os.path.join(work, "strict")
    required, collector = serve(args.spur, data, free_port(), site, "required")
    strict, strict_collector = serve(args.spur, strict_data, free_port(), site, "strict")
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", site_port),
                                            functools.partial(http.server.SimpleHTTPRequestHandler, directory=site_root))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    drivers = []
    seen = {}
    try:
        for cmp in STAND_INS:
            os.makedirs(os.path.join(site_root, cmp))
            for name in ("before", "after", "withdrawn"):
                with open(os.path.join(site_root, cmp, name + ".html"), "w") as f:
                    f.write(page(collector, cmp, docs, name))
            d = browser()
            drivers.append(d)
            d.get(f"{site}/{cmp}/before.html")
            time.sleep(1.0)
            check(f"{cmp}: a first visit sets no cookie", cookie(d, "spur_vid") is None and cookie(d, "spur_consent") is None,
                  f"{d.get_cookies()}")
            d.find_element("id", "accept").click()
            vid = wait_until(lambda: cookie(d, "spur_vid"), timeout=10)
            check(f"{cmp}: accepting sets the consent and visitor cookies", bool(vid) and cookie(d, "spur_consent") == "1",
                  f"{d.get_cookies()}")
            d.get(f"{site}/{cmp}/after.html")
            time.sleep(1.0)
            d.find_element("id", "withdraw").click()
            gone = wait_until(lambda: cookie(d, "spur_vid") is None and cookie(d, "spur_consent") is None, timeout=10)
            check(f"{cmp}: withdrawing removes the cookies", bool(gone), f"{d.get_cookies()}")
            d.get(f"{site}/{cmp}/withdrawn.html")
            time.sleep(1.0)
            seen[cmp] = vid
            d.quit()
            drivers.remove(d)

        # The no-JS pixel: anonymous without the cookie, with the visitor once consent is given on /consent.
        n = browser()
        drivers.append(n)
        with open(os.path.join(site_root, "nojs.html"), "w") as f:
            f.write(f'<!doctype html><html><body><img src="{collector}/p.gif?url={site}/nojs-pixel" alt=""></body></html>')
        n.get(site + "/nojs.html")
        time.sleep(0.8)
        n.get(collector + "/consent")
        n.find_element("css selector", "button[type=submit]").click()
        pixel_vid = wait_until(lambda: cookie(n, "spur_vid"), timeout=10)
        check("the consent page's button grants consent without JavaScript", bool(pixel_vid), f"{n.get_cookies()}")
        n.get(site + "/nojs.html")
        time.sleep(0.8)

        # Strict: nothing before consent.
        s = browser()
        drivers.append(s)
        with open(os.path.join(site_root, "strict.html"), "w") as f:
            f.write(f'<!doctype html><html><head><script defer src="{strict_collector}/s.js"></script></head><body>'
                    f'<img src="{strict_collector}/p.gif?url={site}/strict-pixel" alt=""></body></html>')
        s.get(site + "/strict.html")
        time.sleep(1.5)
        check("strict: a first visit sets no cookie", cookie(s, "spur_vid") is None, f"{s.get_cookies()}")
    finally:
        quit_all(drivers)
        httpd.shutdown()
        stop(required, 20)
        stop(strict, 20)

    events = events_of(args.spur, data)
    for cmp, vid in seen.items():
        views = lambda name: [e for e in events if e["type"] == "pageview" and e.get("url") == f"{site}/{cmp}/{name}.html"]
        before = views("before")
        check(f"{cmp}: the first page view is an anonymous count without visitor, IP or user agent",
              len(before) == 1 and "anonymous" in before[0].get("flags", []) and not {"visitor", "ip", "ua"} & set(before[0]),
              f"{before}")
        after = views("after")
        check(f"{cmp}: the page view after accepting carries the visitor id",
              len(after) == 1 and after[0].get("visitor") == vid and "anonymous" not in after[0].get("flags", []), f"{after}")
        withdrawn = views("withdrawn")
        check(f"{cmp}: after withdrawing, page views are anonymous again",
              len(withdrawn) == 1 and "visitor" not in withdrawn[0], f"{withdrawn}")
        proofs = [e for e in events if e["type"] == "consent" and e.get("props", {}).get("banner") == cmp]
        check(f"{cmp}: the grant and the withdrawal are recorded as proof with the visitor id",
              [p["props"]["consent"] for p in proofs] == ["granted", "denied"] and all(p.get("visitor") == vid for p in proofs),
              f"{proofs}")
    pixel = [e for e in events if e.get("url") == f"{site}/nojs-pixel"]
    check("no-JS pixel: anonymous before consent, with the visitor id after",
          len(pixel) == 2 and "anonymous" in pixel[0].get("flags", []) and pixel[1].get("visitor") == pixel_vid, f"{pixel}")
    strict_events = events_of(args.spur, strict_data)
    check("strict: nothing stored before consent", strict_events == [], f"{strict_events}")

    os.system(f"rm -rf {work}")
    passed, failed = RESULTS.count(True), RESULTS.count(False)
    print(f"consent e2e: {passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
