/// The built-in scoring rules, used when `spur aggregate` gets no `--rules`. Embedded so the
/// binary needs no resource files; `Sources/SpurAggregate/default-rules.yaml` is the same text
/// (a test keeps them equal) for people to copy and edit.
enum DefaultRules {
    static let yaml = #"""
        # Spur's default scoring rules. Copy this file, change it, and pass it with
        # `spur aggregate --rules FILE`; after a change run `spur aggregate --rebuild`.
        # The format and the formula are described in docs/scoring.md.

        decay:
          half_life_days: 30    # a point loses half its weight every 30 days ...
          grace_days: 7         # ... after a first week at full weight

        daily_cap: 60           # at most 60 behavioural points per lead and UTC day

        flags:                  # weight of flagged events (0 = they give no points)
          bot: 0
          scanner_suspect: 0
          honeypot: 0
          proxy_open: 0.5       # image-proxy / Apple MPP opens: the mail may or may not have been read
          unsigned_lead: 1      # template links (--lead-placeholder): the lead is not signed; lower to trust them less

        grades: [51, 41, 31, 21, 11]    # total score needed for grade 1..5; below: 6
        letters: { A: 40, B: 25, C: 10 } # explicit points needed for A, B, C; below: D

        stages:
          mql: { enter: 50, exit: 40 }   # marketing-qualified; leaves again below 40
          sql: { enter: 80, exit: 65 }   # sales-qualified: handed to sales

        handoff:
          stage: sql

        interests:
          half_life_days: 90
          top: 5

        rules:
          - id: newsletter_signup
            type: form
            props: { form: newsletter }
            points: 3
            repeat: once

          - id: newsletter_open
            type: open
            points: 5
            repeat: per_campaign        # opening the same newsletter again adds nothing

          - id: painting_supplies_click
            type: click
            path: "/malbedarf/*"
            points: 5
            repeat: per_link
            categories: [malbedarf]

          - id: newsletter_click
            type: click
            points: 2
            repeat: per_link

          - id: download
            type: download
            points: 5
            repeat: per_link

          - id: product_browsing
            type: pageview
            path: "/produkte/*"
            points: 5
            repeat: per_day             # two different days count twice, the same day once
            category_from_path: 2       # /produkte/<category>/... becomes an interest

          - id: store_locator
            type: pageview
            path: "/filialen*"
            points: 20
            repeat: 30d

          - id: job_ads
            type: pageview
            path: "/jobs/*"
            points: -10
            repeat: 30d

        explicit:
          - id: birthday
            attribute: birthday
            points: 10
          - id: company_size
            attribute: company_size
            in: ["50-249", "250-999", "1000+"]
            points: 15
          - id: role_decision_maker
            attribute: role
            in: [owner, manager, purchasing]
            points: 15
          # BANT(P): what sales learned, sent through /api/identify (docs/scoring.md)
          - id: budget_approved
            attribute: budget
            in: [approved]
            points: 10
          - id: decision_maker
            attribute: authority
            in: [decision-maker]
            points: 10
          - id: high_need
            attribute: need
            in: [high]
            points: 10
          - id: buying_soon
            attribute: timeframe
            in: [within-3-months]
            points: 10
          - id: project
            attribute: project
            in: ["yes"]
            points: 5

        """#
}
