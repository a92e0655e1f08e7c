import Crypto
import NIOCore

/// The site script served at `/s.js`: page views (also of single-page-app navigations), file
/// downloads, custom events and form submissions (`data-spur-form`, never a field's value), sent with `navigator.sendBeacon` as `text/plain` JSON (no CORS
/// preflight). It sends nothing when the browser signals Do Not Track or Global Privacy Control.
enum SiteScript {
    static let source = #"""
        (function (w, d, n) {
          "use strict";
          var s = d.currentScript, q = (w.spur && w.spur.q) || [];
          w.spur = function () {};
          if (!s || n.doNotTrack === "1" || w.doNotTrack === "1" || n.globalPrivacyControl === true) return;
          var endpoint = s.src.replace(/\/s\.js([?#].*)?$/, "/e");
          var consentEndpoint = endpoint.replace(/\/e$/, "/consent");
          var files = /\.(pdf|zip|docx|xlsx|pptx|epub|mp4)([?#]|$)/i;
          var last = null, pending = null;
          function send(o) {
            if (pending) { pending.then(function () { send(o); }); return; }
            var body = JSON.stringify(o);
            try { if (n.sendBeacon && n.sendBeacon(endpoint, body)) return; } catch (e) {}
            try { fetch(endpoint, { method: "POST", body: body, keepalive: true, credentials: "include", headers: { "Content-Type": "text/plain" } }); } catch (e) {}
          }
          function pageview() {
            var url = location.href;
            if (url === last) return;
            var ref = last || d.referrer || undefined;
            last = url;
            send({ type: "pageview", url: url, referrer: ref, title: d.title || undefined });
          }
          ["pushState", "replaceState"].forEach(function (m) {
            var original = history[m];
            history[m] = function () { var r = original.apply(this, arguments); pageview(); return r; };
          });
          w.addEventListener("popstate", pageview);
          d.addEventListener("click", function (e) {
            var el = e.target && e.target.closest ? e.target.closest("[data-spur-event],a[href]") : null;
            if (!el) return;
            var name = el.getAttribute("data-spur-event");
            if (name) send({ type: "custom", name: name, url: location.href });
            else if (files.test(el.href)) send({ type: "download", url: el.href, referrer: location.href });
          }, true);
          d.addEventListener("submit", function (e) {
            var f = e.target && e.target.closest ? e.target.closest("form[data-spur-form]") : null;
            if (f) send({ type: "form", url: location.href, props: { form: f.getAttribute("data-spur-form") } });
          }, true);
          w.spur = function (command, name, props) {
            if (command === "event" && name) send({ type: "custom", name: String(name), url: location.href, props: props || undefined });
            else if (command === "form" && name) send({ type: "form", url: location.href, props: { form: String(name) } });
            else if (command === "pageview") pageview();
            else if (command === "consent" && (name === "granted" || name === "denied")) consent(name, props);
          };
          // Events wait until the consent cookie is set or cleared, so the next one is counted as chosen.
          function consent(state, options) {
            var body = "consent=" + state + (options && options.banner ? "&banner=" + encodeURIComponent(options.banner) : "");
            var p = null, done = function () { if (pending === p) pending = null; };
            try {
              p = pending = fetch(consentEndpoint, { method: "POST", body: body, credentials: "include", keepalive: true,
                headers: { "Content-Type": "application/x-www-form-urlencoded" } }).then(done, done);
            } catch (e) { pending = null; }
          }
          q.forEach(function (args) { w.spur.apply(null, args); });
          pageview();
        })(window, document, navigator);

        """#

    static let body = ByteBuffer(string: source)
    /// Strong validator of the script's bytes.
    static let etag: String = {
        let digest = SHA256.hash(data: Array(source.utf8))
        return "\"" + digest.prefix(8).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined() + "\""
    }()
}
