#!/usr/bin/env python3
"""End-to-end test of Spur's site tracking in a real, headless Chromium.

Starts `spur serve` and a static test site on loopback, drives Chromium with Selenium through
page views, an SPA navigation, a PDF link and a newsletter click link, then checks the events
`spur segments cat` shows: the expected page views, download and click with one visitor id,
the lead on the click; no visitor id under GPC/DNT; and a `spur wrap`ped newsletter opened
from a file:// URL records its open and redirects its click to the right target.

    scripts/browser_e2e.py --spur .build/debug/spur
Needs Debian's chromium + chromium-driver and Python's selenium. Loopback only, bounded in time.
"""
import argparse, functools, http.server, json, os, shutil, signal, socket, subprocess, sys, tempfile, threading, time, urllib.request

RESULTS = []


def check(name, ok, detail=""):
    RESULTS.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else f"  -- {detail}"), flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return None


def make_site(root, collector):
    script = f'<script defer src="{collector}/s.js"></script>'
    pages = {
        "index.html": f"""<!doctype html><html><head><title>Home</title>{script}</head><body>
<a id="to-page2" href="/page2.html">Page 2</a>
<a id="pdf" href="/files/guide.pdf">Guide (PDF)</a>
<button id="spa" onclick="history.pushState({{}}, '', '/app/step2'); document.title='Step 2'">Next step</button>
<button id="custom" data-spur-event="store_locator_search">Find a store</button>
</body></html>""",
        "page2.html": f"<!doctype html><html><head><title>Page 2</title>{script}</head><body><p id='p2'>Page two</p></body></html>",
        # The README's queue stub (calls before s.js has loaded) and a newsletter form.
        "form.html": f"""<!doctype html><html><head><title>Newsletter</title>
<script>window.spur=window.spur||function(){{(window.spur.q=window.spur.q||[]).push(arguments)}};spur('event','queued_before_load');</script>
{script}</head><body>
<form id="nl-form" data-spur-form="newsletter" action="/page2.html" method="get">
<input type="hidden" name="phase" value="form-done"><input name="email" value="anna@example.org"><button id="nl-submit">Subscribe</button>
</form></body></html>""",
        "newsletter.html": """<!doctype html><html><body><table><tr><td>
<p>Hello! <a id="nl-link" href="TARGET">See our paints</a> or <a href="mailto:info@shop.example">write us</a>.</p>
</td></tr></table></body></html>""",
    }
    os.makedirs(os.path.join(root, "files"))
    os.makedirs(os.path.join(root, "app"))
    for name, html in pages.items():
        with open(os.path.join(root, name), "w") as f:
            f.write(html)
    shutil.copy(os.path.join(root, "page2.html"), os.path.join(root, "app", "step2"))
    with open(os.path.join(root, "files", "guide.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n% test\n")


def stop(process, timeout):
    """SIGTERM, then SIGKILL if the process has not ended within `timeout` seconds."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def browser(headers=None, dnt=False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tempfile.mkdtemp(prefix='spur-chrome-')}"]:
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"enable_do_not_track": dnt,
                                              "download.default_directory": tempfile.mkdtemp(prefix="spur-dl-"),
                                              "plugins.always_open_pdf_externally": True})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(20)
    if headers:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": headers})
    return driver


def wait_healthy(collector):
    """Waits until the collector at `collector` answers /healthz; true if it did."""
    def healthy():
        try:
            return urllib.request.urlopen(collector + "/healthz", timeout=2).status == 200
        except OSError:
            return False
    return bool(wait_until(healthy))


def script_arguments(default_timeout, parser=None):
    """`--spur` and `--timeout` (plus what `parser` already has); arms the overall time limit."""
    parser = parser or argparse.ArgumentParser()
    parser.add_argument("--spur", required=True)
    parser.add_argument("--timeout", type=int, default=default_timeout)
    args = parser.parse_args()
    signal.signal(signal.SIGALRM, lambda *_: (print("FAIL timeout", flush=True), os._exit(1)))
    signal.alarm(args.timeout)
    return args


def quit_all(drivers):
    """Ends every browser, whatever state a failed check left it in."""
    for driver in drivers:
        try:
            driver.quit()
        except Exception:
            pass


def visitor_cookie(driver):
    return next((c["value"] for c in driver.get_cookies() if c["name"] == "spur_vid"), None)


def main():
    args = script_arguments(240)

    work = tempfile.mkdtemp(prefix="spur-browser-")
    data, site_root = os.path.join(work, "data"), os.path.join(work, "site")
    collector_port, site_port = free_port(), free_port()
    collector, site = f"http://127.0.0.1:{collector_port}", f"http://127.0.0.1:{site_port}"
    serve = subprocess.Popen([args.spur, "serve", "--data", data, "--port", str(collector_port), "--node", "browser",
                              "--commit-interval", "50ms", "--public-url", collector, "--site-origin", site,
                              # What a visitor with consent gets; scripts/consent_e2e.py covers the consent modes.
                              "--consent", "not-required",
                              "--log-level", "warning"])
    httpd = None
    drivers = []
    try:
        make_site(site_root, collector)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=site_root)
        http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", site_port), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        check("collector starts", wait_healthy(collector))

        spur = lambda *a: subprocess.run([args.spur, *a], check=True, capture_output=True, text=True).stdout.strip()
        click_link = spur("link", "--data", data, "--base", collector, "--campaign", "nl-e2e", "--lead", "lead-e2e",
                          site + "/page2.html?from=newsletter")

        # 1. Browsing with the script, then a newsletter click.
        d = browser()
        drivers.append(d)
        d.get(site + "/index.html")
        check("visitor cookie set by the first beacon", bool(wait_until(lambda: visitor_cookie(d))), "no spur_vid cookie")
        d.find_element("id", "spa").click()
        time.sleep(0.5)
        d.find_element("id", "custom").click()
        time.sleep(0.3)
        d.find_element("id", "pdf").click()
        time.sleep(1.0)
        d.get(site + "/index.html")
        time.sleep(0.5)
        d.find_element("id", "to-page2").click()
        wait_until(lambda: d.current_url.endswith("/page2.html"))
        time.sleep(0.5)
        d.get(click_link)
        check("click link redirects to the site", bool(wait_until(lambda: d.current_url == site + "/page2.html?from=newsletter")),
              d.current_url)
        time.sleep(0.8)
        visitor = visitor_cookie(d)

        # 1b. The queue stub and a newsletter form.
        d.get(site + "/form.html?phase=form")
        time.sleep(0.8)
        d.find_element("id", "nl-submit").click()
        wait_until(lambda: "phase=form-done" in d.current_url)
        time.sleep(0.8)

        # 2. Global Privacy Control and DNT as request headers: hits without visitor id.
        g = browser(headers={"Sec-GPC": "1", "DNT": "1"})
        drivers.append(g)
        g.get(site + "/page2.html?phase=gpc")
        time.sleep(1.0)
        # 3. DNT switched on in the browser: the script sends nothing at all.
        n = browser(dnt=True)
        drivers.append(n)
        n.get(site + "/page2.html?phase=dnt")
        time.sleep(1.0)
        check("navigator.doNotTrack is on in the DNT browser", n.execute_script("return navigator.doNotTrack") == "1")

        # 4. A wrapped newsletter opened from a file:// URL.
        newsletter = os.path.join(site_root, "newsletter.html")
        with open(newsletter) as f:
            html = f.read().replace("TARGET", site + "/page2.html?from=file-newsletter")
        with open(newsletter, "w") as f:
            f.write(html)
        wrapped = os.path.join(work, "wrapped.html")
        with open(wrapped, "w") as out:
            subprocess.run([args.spur, "wrap", "--data", data, "--base", collector, "--campaign", "nl-file",
                            "--lead", "lead-file", newsletter], check=True, stdout=out, stderr=subprocess.DEVNULL)
        m = browser()
        drivers.append(m)
        m.get("file://" + wrapped)
        time.sleep(0.8)
        m.find_element("id", "nl-link").click()
        check("wrapped newsletter link redirects to its target",
              bool(wait_until(lambda: m.current_url == site + "/page2.html?from=file-newsletter")), m.current_url)
        time.sleep(0.8)
    finally:
        quit_all(drivers)
        if httpd:
            httpd.shutdown()
        stop(serve, 20)
    check("collector exits 0 after SIGTERM", serve.returncode == 0, f"exit {serve.returncode}")

    lines = subprocess.run([args.spur, "segments", "cat", "--data", data], check=True, capture_output=True, text=True).stdout
    events = [json.loads(line) for line in lines.splitlines() if line.strip()]
    main_events = [e for e in events if e.get("campaign") != "nl-file" and "phase=" not in e.get("url", "")
                   and "from=file-newsletter" not in e.get("url", "")]
    kinds = [(e["type"], e.get("url", "").replace(site, "")) for e in main_events]
    expected = [("pageview", "/index.html"), ("pageview", "/app/step2"), ("custom", "/app/step2"),
                ("download", "/files/guide.pdf"), ("pageview", "/index.html"), ("pageview", "/page2.html"),
                ("click", "/page2.html?from=newsletter"), ("pageview", "/page2.html?from=newsletter")]
    check("expected events in order", kinds == expected, f"got {kinds}")
    visitors = {e.get("visitor") for e in main_events}
    check("one visitor id across page views, download and click", len(visitors) == 1 and None not in visitors
          and visitor in visitors, f"visitors {visitors}, cookie {visitor}")
    click = [e for e in main_events if e["type"] == "click"]
    check("the click carries the lead and campaign", len(click) == 1 and click[0].get("lead") == "lead-e2e"
          and click[0].get("campaign") == "nl-e2e", f"{click}")
    check("the browser never set a lead", all(e.get("lead") is None for e in main_events if e["type"] != "click"))
    custom = [e for e in main_events if e["type"] == "custom"]
    check("custom event name", len(custom) == 1 and custom[0].get("name") == "store_locator_search", f"{custom}")
    form = [e for e in events if e["type"] == "form"]
    check("data-spur-form sends a form event, without the fields' values",
          len(form) == 1 and form[0].get("props") == {"form": "newsletter"} and "phase=form" in form[0].get("url", "")
          and "anna" not in json.dumps(form[0]), f"{form}")
    queued = [e for e in events if e["type"] == "custom" and e.get("name") == "queued_before_load"]
    check("a call queued before s.js loaded is sent", len(queued) == 1, f"{queued}")
    gpc = [e for e in events if "phase=gpc" in e.get("url", "")]
    check("GPC/DNT headers: page view stored without visitor id, flagged dnt",
          len(gpc) == 1 and "visitor" not in gpc[0] and "dnt" in gpc[0].get("flags", []), f"{gpc}")
    check("DNT in the browser: nothing sent", not [e for e in events if "phase=dnt" in e.get("url", "")])
    opened = [e for e in events if e["type"] == "open" and e.get("campaign") == "nl-file"]
    check("open pixel of the wrapped newsletter arrives", len(opened) == 1 and opened[0].get("lead") == "lead-file", f"{opened}")
    clicked = [e for e in events if e["type"] == "click" and e.get("campaign") == "nl-file"]
    check("click of the wrapped newsletter recorded with lead and target",
          len(clicked) == 1 and clicked[0].get("lead") == "lead-file"
          and clicked[0].get("url") == site + "/page2.html?from=file-newsletter", f"{clicked}")

    shutil.rmtree(work, ignore_errors=True)
    passed, failed = RESULTS.count(True), RESULTS.count(False)
    print(f"browser e2e: {passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
