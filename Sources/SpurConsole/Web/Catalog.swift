import Foundation

/// Every text of the console, one catalog per language (the seeds' users are German marketing
/// teams). Templates read them as `{{t.key}}`; a key missing in one language is a test failure
/// (`CatalogTests`), never an empty label.
public enum ConsoleLanguage: String, Sendable, CaseIterable {
    case de, en

    /// The first supported language in an `Accept-Language` header, by quality; English otherwise.
    public static func negotiate(_ header: String?) -> ConsoleLanguage {
        guard let header else { return .en }
        var best: (ConsoleLanguage, Double)?
        for part in header.split(separator: ",") {
            let fields = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard let tag = fields.first, let lang = ConsoleLanguage(rawValue: String(tag.prefix(2))) else { continue }
            var q = 1.0
            for f in fields.dropFirst() where f.hasPrefix("q=") { q = Double(f.dropFirst(2)) ?? 0 }
            if q > 0, q > (best?.1 ?? -1) { best = (lang, q) }
        }
        return best?.0 ?? .en
    }

    public var catalog: [String: String] {
        switch self {
        case .de: return Catalog.german
        case .en: return Catalog.english
        }
    }
}

enum Catalog {
    static let english: [String: String] = [
        "app": "Spur console",
        "nav_overview": "Overview", "nav_leads": "Leads", "nav_audiences": "Audiences", "nav_pages": "Pages", "pages_title": "Pages",
        "pages_help":
            "Page views per page: people who consented to tracking, people counted anonymously (no consent: no cookie, no visitor id), and bots.",
        "pages_chart": "The 10 most viewed pages", "page": "Page", "people": "People", "period": "Period",
        "show": "Show", "days_unit": "days", "rank": "Rank", "views": "Views",
        "download_pages_csv": "Download CSV (every page of the period)", "no_pages": "No page views in this period yet.",
        "pages_bad_days": "The period must be one of these numbers of days:",
        "audiences_title": "Audiences", "audience": "Audience",
        "members": "Members",
        "audiences_help": "Lists for the next mailing, kept up to date by each nightly run (spur aggregate --audiences FILE).",
        "no_audiences": "No audience has members yet: define audiences in a file and pass it to spur aggregate --audiences.",
        "audience_changes": "Entered and left", "entered": "entered", "left": "left", "audience_size": "Members over time",
        "nav_campaigns": "Campaigns", "nav_health": "Health",
        "logout": "Log out", "signed_in_as": "Signed in as", "language": "Language",
        "login_title": "Sign in", "login_user": "User name", "login_password": "Password", "login_submit": "Sign in",
        "login_failed": "User name or password is wrong.",
        "login_throttled": "Too many failed sign-ins. Wait a few minutes and try again.",
        "login_expired": "The form expired. Please sign in again.",
        "no_data": "No aggregated data yet: run 'spur aggregate' first.",
        "overview_title": "Overview", "new_mql": "New MQLs", "new_sql": "New SQLs", "this_week": "this week",
        "previous_week": "previous week", "grade_matrix": "Leads by grade and letter",
        "grade_matrix_help":
            "Implicit grade 1 (hot) to 6 from behaviour × explicit letter A (best fit) to D from attributes. Each number opens the list.",
        "grade": "Grade", "letter": "Letter", "events_per_day": "Events per day, last 30 days", "human": "human", "proxy": "proxy",
        "bot": "bot", "top_interests": "Top interests", "leads_count": "leads", "last_run": "Last aggregation run",
        "no_runs": "No aggregation run recorded yet.", "segments_waiting": "Segments waiting to be folded", "as_of": "as of",
        "duration": "duration", "folded": "folded", "exit_status": "exit status", "total_leads": "Leads in all",
        "leads_title": "Leads", "filter": "Filter", "stage": "Stage", "any": "any", "interest": "Interest", "campaign": "Campaign",
        "min_score": "Min. score", "search_id": "Lead id starts with", "sort": "Sort", "sort_score": "score",
        "sort_last_seen": "last seen", "sort_updated": "last changed", "sort_lead": "lead id", "apply": "Apply", "reset": "Reset",
        "download_csv": "Download CSV (all matching leads)", "lead": "Lead", "label": "Label", "score": "Score",
        "implicit": "implicit", "explicit": "explicit", "interests": "Interests", "last_seen": "Last seen", "next_page": "Next page",
        "first_page": "First page", "no_leads": "No lead matches these filters.",
        "lead_title": "Lead", "score_parts": "Score", "stage_history": "Stage history", "score_over_time": "Score over time",
        "score_chart_alt": "Score of the lead at the end of each day", "rules": "Rules that gave points",
        "rule": "Rule", "points": "Points", "awarded": "awarded", "events": "Events", "not_counted": "not counted",
        "timeline": "Events", "time": "Time", "type": "Type", "url": "URL", "flags": "Flags", "title": "Title",
        "attributes": "Attributes", "visitors": "Visitor ids", "first_seen": "First seen", "touches": "Source (UTM)",
        "no_touches": "No visit with UTM parameters yet.",
        "first_touch": "First touch", "last_touch": "Last touch", "reached": "reached", "since": "since",
        "forget": "Forget this person",
        "forget_help":
            "Erases the lead, its visitor ids and all their events from the database and every sealed segment, like 'spur forget'. This cannot be undone.",
        "forget_confirm": "Type the lead id to confirm", "forget_submit": "Erase for good", "forget_done": "Erased",
        "forget_mismatch": "The id you typed does not match this lead.", "admins_only": "Only admins can erase leads.",
        "campaigns_title": "Campaigns", "opens": "Opens", "unique_opens": "Unique opens", "clicks": "Clicks",
        "unique_clicks": "Unique clicks", "click_to_open": "Click-to-open (human)",
        "site_visits": "Site page views (utm_campaign)", "consent": "Consent", "no_consent": "None recorded.",
        "consent_granted": "granted", "consent_withdrawn": "withdrawn", "consent_site": "site banner", "with_consent": "with consent",
        "anonymous": "anonymous", "bots": "bots", "split": "human / proxy / bot",
        "no_campaigns": "No campaign has events yet.", "campaign_title": "Campaign",
        "opens_clicks_over_time": "Opens and clicks per day since the send",
        "links": "Links", "flagged": "Flagged", "clickers": "Leads who clicked", "health_title": "Health",
        "collectors": "Collectors' segments", "data_directory": "Data directory", "open": "open", "sealed": "sealed",
        "not_folded": "not folded", "size": "Size", "outbox": "Hand-off outbox", "waiting": "waiting", "webhooks": "Webhook deliveries",
        "given_up": "given up (spur webhooks retry)",
        "erasures_done": "Erased ids (leads and their visitor ids)",
        "runs": "Aggregation runs", "started": "Started", "segments": "Segments", "status": "Status", "not_found": "Not found",
        "not_found_text": "There is nothing at this address.", "forbidden": "Not allowed", "error": "Something went wrong",
        "back": "Back", "chart_days": "day", "none_stage": "none", "all_time": "since first event", "page_of": "Page", "chart_table": "Numbers",
        "axis_day": "Day (UTC)",
        "sign_in_first": "Sign in first.", "bad_stage": "The stage must be none, MQL or SQL.", "bad_grade": "The grade must be 1 to 6.",
        "bad_letter": "The letter must be A, B, C or D.", "bad_min_score": "The minimum score must be a number.",
        "bad_sort": "Sort by score, last_seen, updated or lead.",
        "bad_cursor": "This page address is no longer valid: start again from the first page.",
        "bad_query": "These filters cannot be used together; reset them and try again.",
        "bad_token": "The form expired or did not come from this console: reload the page and try again.",
        "bad_form": "The form is incomplete: reload the page and try again.", "bad_id": "The id in the address is not valid.",
    ]

    static let german: [String: String] = [
        "app": "Spur-Konsole",
        "nav_overview": "Überblick", "nav_leads": "Leads", "nav_audiences": "Zielgruppen", "nav_pages": "Seiten", "pages_title": "Seiten",
        "pages_help":
            "Seitenaufrufe je Seite: Personen mit Einwilligung in die Analyse, anonym gezählte Personen (ohne Einwilligung: kein Cookie, keine Besucher-ID) und Bots.",
        "pages_chart": "Die 10 meistbesuchten Seiten", "page": "Seite", "people": "Personen", "period": "Zeitraum",
        "show": "Anzeigen", "days_unit": "Tage", "rank": "Rang", "views": "Aufrufe",
        "download_pages_csv": "CSV herunterladen (alle Seiten des Zeitraums)", "no_pages": "In diesem Zeitraum noch keine Seitenaufrufe.",
        "pages_bad_days": "Der Zeitraum muss eine dieser Anzahlen von Tagen sein:", "audiences_title": "Zielgruppen", "audience": "Zielgruppe",
        "members": "Mitglieder",
        "audiences_help": "Listen für das nächste Mailing, bei jedem nächtlichen Lauf aktualisiert (spur aggregate --audiences DATEI).",
        "no_audiences": "Noch keine Zielgruppe hat Mitglieder: Zielgruppen in einer Datei festlegen und spur aggregate --audiences übergeben.",
        "audience_changes": "Hinzugekommen und ausgeschieden", "entered": "hinzugekommen", "left": "ausgeschieden",
        "audience_size": "Mitglieder im Zeitverlauf",
        "nav_campaigns": "Kampagnen", "nav_health": "Zustand",
        "logout": "Abmelden", "signed_in_as": "Angemeldet als", "language": "Sprache",
        "login_title": "Anmelden", "login_user": "Benutzername", "login_password": "Passwort", "login_submit": "Anmelden",
        "login_failed": "Benutzername oder Passwort ist falsch.",
        "login_throttled": "Zu viele fehlgeschlagene Anmeldungen. Bitte warten Sie einige Minuten.",
        "login_expired": "Das Formular ist abgelaufen. Bitte melden Sie sich erneut an.",
        "no_data": "Noch keine aggregierten Daten: zuerst 'spur aggregate' ausführen.",
        "overview_title": "Überblick", "new_mql": "Neue MQLs", "new_sql": "Neue SQLs", "this_week": "diese Woche",
        "previous_week": "Vorwoche", "grade_matrix": "Leads nach Note und Buchstabe",
        "grade_matrix_help":
            "Implizite Note 1 (heiß) bis 6 aus dem Verhalten × expliziter Buchstabe A (passt am besten) bis D aus den Attributen. Jede Zahl öffnet die Liste.",
        "grade": "Note", "letter": "Buchstabe", "events_per_day": "Ereignisse pro Tag, letzte 30 Tage", "human": "Mensch",
        "proxy": "Proxy", "bot": "Bot", "top_interests": "Häufigste Interessen", "leads_count": "Leads",
        "last_run": "Letzter Aggregationslauf", "no_runs": "Noch kein Aggregationslauf aufgezeichnet.",
        "segments_waiting": "Segmente, die auf die Aggregation warten", "as_of": "Stand", "duration": "Dauer", "folded": "eingelesen",
        "exit_status": "Exit-Status", "total_leads": "Leads insgesamt",
        "leads_title": "Leads", "filter": "Filtern", "stage": "Phase", "any": "alle", "interest": "Interesse", "campaign": "Kampagne",
        "min_score": "Mindestpunktzahl", "search_id": "Lead-ID beginnt mit", "sort": "Sortierung", "sort_score": "Punkte",
        "sort_last_seen": "zuletzt gesehen", "sort_updated": "zuletzt geändert", "sort_lead": "Lead-ID", "apply": "Anwenden",
        "reset": "Zurücksetzen", "download_csv": "CSV herunterladen (alle passenden Leads)", "lead": "Lead", "label": "Label",
        "score": "Punkte", "implicit": "implizit", "explicit": "explizit", "interests": "Interessen", "last_seen": "Zuletzt gesehen",
        "next_page": "Nächste Seite", "first_page": "Erste Seite", "no_leads": "Kein Lead passt zu diesen Filtern.",
        "lead_title": "Lead", "score_parts": "Punkte", "stage_history": "Phasenverlauf", "score_over_time": "Punkte im Zeitverlauf",
        "score_chart_alt": "Punktzahl des Leads am Ende jedes Tages", "rules": "Regeln, die Punkte gaben", "rule": "Regel",
        "points": "Punkte", "awarded": "vergeben", "events": "Ereignisse", "not_counted": "nicht gezählt", "timeline": "Ereignisse",
        "time": "Zeit", "type": "Typ", "url": "URL", "flags": "Markierungen", "title": "Titel", "attributes": "Attribute",
        "visitors": "Besucher-IDs", "first_seen": "Zuerst gesehen", "touches": "Herkunft (UTM)", "no_touches": "Noch kein Besuch mit UTM-Parametern.",
        "first_touch": "Erster Kontakt", "last_touch": "Letzter Kontakt", "reached": "erreicht", "since": "seit",
        "forget": "Diese Person vergessen",
        "forget_help":
            "Löscht den Lead, seine Besucher-IDs und alle ihre Ereignisse aus der Datenbank und jedem versiegelten Segment, wie 'spur forget'. Das lässt sich nicht rückgängig machen.",
        "forget_confirm": "Zur Bestätigung die Lead-ID eingeben", "forget_submit": "Endgültig löschen", "forget_done": "Gelöscht",
        "forget_mismatch": "Die eingegebene ID passt nicht zu diesem Lead.", "admins_only": "Nur Administratoren können Leads löschen.",
        "campaigns_title": "Kampagnen", "opens": "Öffnungen", "unique_opens": "Eindeutige Öffnungen", "clicks": "Klicks",
        "unique_clicks": "Eindeutige Klicks", "click_to_open": "Klick-zu-Öffnung (Mensch)",
        "site_visits": "Seitenaufrufe (utm_campaign)", "consent": "Einwilligung", "no_consent": "Keine erfasst.",
        "consent_granted": "erteilt", "consent_withdrawn": "widerrufen", "consent_site": "Banner der Website", "with_consent": "mit Einwilligung",
        "anonymous": "anonym", "bots": "Bots", "split": "Mensch / Proxy / Bot",
        "no_campaigns": "Noch keine Kampagne mit Ereignissen.", "campaign_title": "Kampagne",
        "opens_clicks_over_time": "Öffnungen und Klicks pro Tag seit dem Versand", "links": "Links", "flagged": "Markiert",
        "clickers": "Leads, die geklickt haben", "health_title": "Zustand", "collectors": "Segmente der Collectoren",
        "data_directory": "Datenverzeichnis", "open": "offen", "sealed": "versiegelt", "not_folded": "nicht eingelesen",
        "size": "Größe", "outbox": "Übergabe-Postausgang", "waiting": "wartend", "webhooks": "Webhook-Zustellungen",
        "given_up": "aufgegeben (spur webhooks retry)", "erasures_done": "Gelöschte IDs (Leads und ihre Besucher-IDs)",
        "runs": "Aggregationsläufe", "started": "Gestartet", "segments": "Segmente", "status": "Status", "not_found": "Nicht gefunden",
        "not_found_text": "Unter dieser Adresse gibt es nichts.", "forbidden": "Nicht erlaubt", "error": "Etwas ist schiefgegangen",
        "back": "Zurück", "chart_days": "Tag", "none_stage": "keine", "all_time": "seit dem ersten Ereignis", "page_of": "Seite",
        "chart_table": "Zahlen", "axis_day": "Tag (UTC)",
        "sign_in_first": "Bitte zuerst anmelden.", "bad_stage": "Die Phase muss none, MQL oder SQL sein.",
        "bad_grade": "Die Note muss zwischen 1 und 6 liegen.", "bad_letter": "Der Buchstabe muss A, B, C oder D sein.",
        "bad_min_score": "Die Mindestpunktzahl muss eine Zahl sein.", "bad_sort": "Sortieren nach score, last_seen, updated oder lead.",
        "bad_cursor": "Diese Seitenadresse gilt nicht mehr: bitte auf der ersten Seite neu beginnen.",
        "bad_query": "Diese Filter lassen sich so nicht kombinieren; bitte zurücksetzen und erneut versuchen.",
        "bad_token": "Das Formular ist abgelaufen oder stammt nicht aus dieser Konsole: Seite neu laden und erneut versuchen.",
        "bad_form": "Das Formular ist unvollständig: Seite neu laden und erneut versuchen.", "bad_id": "Die ID in der Adresse ist ungültig.",
    ]
}
