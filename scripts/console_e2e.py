#!/usr/bin/env python3
"""End-to-end test of `spur console` in a real, headless Chromium.

Imports the reference lead of docs/scoring.md ("A worked example": 53 points, grade 1, MQL,
interest malbedarf) and a lead whose events carry script payloads, aggregates them, adds an
admin and a viewer, starts the console and drives Chromium with Selenium: sign in, overview,
leads filtered to stage MQL, the lead page (values, rules, one score point per day), the
campaign and its link table, German, the attack payloads shown inert (no dialog), erasing the
lead as admin (gone from the list and from `spur leads show`), sign out.

    scripts/console_e2e.py --spur .build/debug/spur [--screenshots docs/images]
Needs Debian's chromium + chromium-driver and Python's selenium. Loopback only, bounded in time.
"""
import argparse, json, os, socket, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_e2e import browser, check, free_port, script_arguments, stop, wait_until, RESULTS  # noqa: E402

BASE = 1_793_613_600_000  # 2026-11-02T10:00:00Z, day 1 of the worked example
XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
ADMIN_PASSWORD, VIEWER_PASSWORD = "correct-horse-battery", "viewer-password-1"


def at(day, minute=0):
    return BASE + (day - 1) * 86_400_000 + minute * 60_000


def events():
    def ev(i, type, day, minute=0, **fields):
        e = {"id": f"e2e-{i}", "ts": at(day, minute), "type": type, "node": "e2e"}
        e.update({k: v for k, v in fields.items() if v is not None})
        return e
    anna = "anna@example.org"
    return [
        ev(1, "form", 1, visitor="v-1", url="https://shop.example/newsletter", props={"form": "newsletter"}),
        ev(2, "open", 2, lead=anna, campaign="nl-47"),
        ev(3, "click", 2, 1, lead=anna, visitor="v-1", campaign="nl-47", url="https://shop.example/malbedarf/pinsel?utm=nl"),
        ev(4, "open", 2, 30, lead=anna, campaign="nl-47"),
        ev(5, "identify", 3, lead=anna, visitor="v-1", props={"birthday": "1980-05-01"}),
        ev(6, "pageview", 4, visitor="v-1", url="https://shop.example/produkte/farben/acryl"),
        ev(7, "pageview", 4, 5, visitor="v-1", url="https://shop.example/produkte/farben/oel"),
        ev(8, "pageview", 6, visitor="v-1", url="https://shop.example/produkte/pinsel/rund"),
        ev(9, "pageview", 7, visitor="v-1", url="https://shop.example/filialen"),
        ev(10, "open", 3, lead="mallory@example.org", campaign="nl-47", ua=XSS),
        ev(11, "click", 3, 2, lead="mallory@example.org", visitor="v-m", campaign="nl-47", url="javascript:alert(3)", title=XSS,
           ua=XSS, props={"x": XSS}),
        ev(12, "pageview", 4, visitor="v-m", url="https://shop.example/produkte/" + XSS, title=XSS, referrer="javascript:alert(4)"),
        ev(13, "click", 5, lead="bob@example.org", campaign="nl-47", url="https://shop.example/garten/schlauch"),
        ev(14, "open", 2, 5, lead="bob@example.org", campaign="nl-47", flags=["proxy_open"]),
        ev(15, "click", 2, 6, lead="carl@example.org", campaign="nl-47", url="https://shop.example/malbedarf/pinsel?utm=nl",
           flags=["bot"]),
        ev(16, "consent", 1, visitor="v-1", url="https://shop.example/", props={"consent": "granted", "banner": "cookiebot-v12"}),
    ] + [
        # Visitors without consent: anonymous page counts (docs/consent.md).
        ev(100 + i, "pageview", 1 + i % 7, i, url=page, flags=["anonymous"])
        for i, page in enumerate(["https://shop.example/"] * 5 + ["https://shop.example/filialen"] * 3
                                 + ["https://shop.example/malbedarf?utm_campaign=nl-47"] * 2)
    ]


def no_dialog(driver):
    try:
        driver.switch_to.alert.dismiss()
        return False
    except Exception:
        return True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--screenshots", help="folder for PNG screenshots of the main pages (docs/images for the docs)")
    args = script_arguments(240, parser)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    work = tempfile.mkdtemp(prefix="spur-console-e2e-")
    data = os.path.join(work, "data")
    shots = args.screenshots or os.path.join(work, "screenshots")
    os.makedirs(shots, exist_ok=True)
    spur = lambda *a, **kw: subprocess.run([args.spur, *a], capture_output=True, text=True, **kw)
    with open(os.path.join(work, "events.jsonl"), "w") as f:
        f.writelines(json.dumps(e) + "\n" for e in events())
    r = spur("segments", "import", "--data", data, os.path.join(work, "events.jsonl"))
    check("spur segments import", r.returncode == 0, r.stderr)
    r = spur("aggregate", "--data", data, "--as-of", "2026-11-08", "--quiet")
    check("spur aggregate", r.returncode == 0, r.stderr + r.stdout)
    r = spur("console", "user", "add", "admin", "--role", "admin", "--data", data, input=ADMIN_PASSWORD + "\n")
    check("spur console user add admin", r.returncode == 0, r.stderr)
    r = spur("console", "user", "add", "vera", "--data", data, input=VIEWER_PASSWORD + "\n")
    check("spur console user add vera (viewer)", r.returncode == 0, r.stderr)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    console = subprocess.Popen([args.spur, "console", "--data", data, "--port", str(port), "--log-level", "warning"])
    driver = None
    try:
        def up():
            try:
                return urllib.request.urlopen(url + "/login", timeout=2).status == 200
            except OSError:
                return False
        check("console starts", bool(wait_until(up)))
        driver = browser(headers={"Accept-Language": "en"})
        driver.set_window_size(1280, 1000)
        from selenium.webdriver.support.ui import WebDriverWait
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.common.exceptions import WebDriverException

        # A click that submits a form or follows a link returns before the next page is there:
        # every lookup waits for its element, and each navigation waits for what proves it.
        def find(css):
            return WebDriverWait(driver, 10).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))

        finds = lambda css: driver.find_elements(By.CSS_SELECTOR, css)

        def arrived(predicate):
            return bool(wait_until(lambda: _safe(predicate), timeout=10))

        def _safe(predicate):
            try:
                return predicate()
            except Exception:
                return False

        def replaced(old):
            # Selenium's staleness_of lets chromedriver's "Node ... does not belong to the
            # document" through, which it reports while the next page replaces the old one.
            def predicate(_):
                try:
                    old.is_enabled()
                    return False
                except WebDriverException:
                    return True
            return predicate

        def click_and_wait(css, predicate):
            old = driver.find_element(By.TAG_NAME, "html")
            find(css).click()
            WebDriverWait(driver, 10).until(replaced(old))
            return arrived(predicate)

        driver.get(url + "/")
        check("anonymous visitor sees the sign-in page", driver.current_url.startswith(url + "/login") and bool(finds("#password")))
        driver.save_screenshot(os.path.join(shots, "console-login.png"))
        find("#user").send_keys("admin")
        find("#password").send_keys("wrong password!")
        click_and_wait("#login", lambda: finds("#login-error"))
        check("wrong password is refused", "wrong" in find("#login-error").text)
        find("#user").clear()
        find("#user").send_keys("admin")
        find("#password").send_keys(ADMIN_PASSWORD)
        click_and_wait("#login", lambda: "/login" not in driver.current_url)
        check("signed in, on the overview", find("h1").text == "Overview" and find("#user-name").text == "admin", driver.current_url)
        cell = find('#grade-matrix a[title="C1"]')
        check("grade matrix counts the reference lead in C1", cell.text == "1", cell.text)
        check("events-per-day chart is drawn", len(finds("#traffic rect.bar")) > 0)
        driver.save_screenshot(os.path.join(shots, "console-overview.png"))

        driver.get(url + "/leads")
        Select(find("#f-stage")).select_by_value("mql")
        click_and_wait("#apply", lambda: "stage=mql" in driver.current_url)
        leads = [a.text for a in finds("a.lead-link")]
        check("leads filtered to stage MQL", leads == ["anna@example.org"], leads)
        check("filter kept in the address", "stage=mql" in driver.current_url, driver.current_url)
        driver.save_screenshot(os.path.join(shots, "console-leads.png"))

        click_and_wait("a.lead-link", lambda: finds("#score"))
        values = {k: find("#" + k).text for k in ["score", "implicit", "explicit", "grade", "stage", "label"]}
        check("lead shows 53 points (43 + 10), grade 1, MQL", values["score"] == "53" and values["implicit"] == "43"
              and values["explicit"] == "10" and values["grade"] == "1" and values["stage"] == "MQL", values)
        check("interest malbedarf", "malbedarf" in find("#interests").text, find("#interests").text)
        rules = [row.find_elements(By.TAG_NAME, "td")[0].text for row in finds("#rules tbody tr")]
        check("rule list explains the points", {"newsletter_open", "painting_supplies_click", "product_browsing", "store_locator",
                                                 "birthday"} <= set(rules), rules)
        points = finds("#score-chart circle.dot.s-score")
        check("score chart has one point per day (2 to 8 Nov)", len(points) == 7, len(points))
        check("stage history shows MQL reached", "MQL" in find("#stage-history").text, find("#stage-history").text)
        driver.save_screenshot(os.path.join(shots, "console-lead.png"))

        driver.get(url + "/campaigns")
        click_and_wait('a.campaign-link[href="/campaigns/nl-47"]', lambda: finds("#links"))
        links = find("#links").text
        check("campaign link table lists the clicked links", "malbedarf/pinsel" in links and "garten/schlauch" in links, links)
        check("campaign splits human / proxy / bot", "bot" in links or "/ 1" in find("main").text)
        driver.save_screenshot(os.path.join(shots, "console-campaign.png"))

        driver.get(url + "/pages?days=7")
        pages = find("#pages").text if finds("#pages") else ""
        check("pages report: consented and anonymous views per page, with a chart",
              "https://shop.example/filialen" in pages and finds("#pages-chart") != [], pages)
        driver.save_screenshot(os.path.join(shots, "console-pages.png"))

        driver.get(url + "/health")
        check("health page lists the aggregation run", len(finds("#runs tbody tr")) == 1)
        driver.save_screenshot(os.path.join(shots, "console-health.png"))

        driver.get(url + "/leads/mallory%40example.org")
        time.sleep(0.3)
        check("script payloads on the lead page stay text (no dialog)", no_dialog(driver) and XSS.split(">")[0] in find("#timeline").text)
        check("javascript: URL is not a link", not any(a.get_attribute("href", ) and a.get_attribute("href").startswith("javascript:")
                                                        for a in finds("#timeline a")))
        driver.get(url + "/")
        check("overview with the payload interest has no dialog", no_dialog(driver))

        click_and_wait('a[lang="de"]', lambda: find("h1").text == "Überblick")
        check("German after the switch", find("h1").text == "Überblick", find("h1").text)
        driver.save_screenshot(os.path.join(shots, "console-overview-de.png"))
        click_and_wait('a[lang="en"]', lambda: find("h1").text == "Overview")

        driver.get(url + "/leads/anna%40example.org")
        find("#forget-confirm").send_keys("anna@example.org")
        click_and_wait("#forget", lambda: "erased=1" in driver.current_url)
        check("erased as admin: back on the list with a notice", "/leads" in driver.current_url and "Erased" in find("main").text)
        check("erased lead gone from the list", "anna@example.org" not in [a.text for a in finds("a.lead-link")])
        r = spur("leads", "show", "anna@example.org", "--data", data)
        check("erased lead gone from spur leads show (exit 1)", r.returncode == 1, (r.returncode, r.stdout))

        click_and_wait("#logout", lambda: "/login" in driver.current_url)
        check("signed out", driver.current_url.startswith(url + "/login"))
        driver.get(url + "/leads")
        check("after signing out the pages need a sign-in again", driver.current_url.startswith(url + "/login"))
    finally:
        if driver:
            driver.quit()
        stop(console, 10)
    print(f"{sum(RESULTS)} checks passed, {len(RESULTS) - sum(RESULTS)} failed; screenshots in {shots}")
    sys.exit(0 if RESULTS and all(RESULTS) else 1)


if __name__ == "__main__":
    main()
