extension Templates {
    /// The overview's content, rendered once per data version, language and day and then
    /// shown inside the layout by `prerendered` (docs/console.md, "Security").
    static let overviewBody = #"""
        <h1>{{t.overview_title}}</h1>
        {{^hasData}}<p class="notice">{{t.no_data}}</p>{{/hasData}}
        {{#hasData}}
        <p class="asof">{{t.as_of}} {{asOf}}</p>
        <section class="cards">
        <div class="card" id="new-mql"><h2>{{t.new_mql}}</h2><p class="big">{{mqlThisWeek}}</p><p>{{t.this_week}} · {{t.previous_week}}: {{mqlLastWeek}}</p></div>
        <div class="card" id="new-sql"><h2>{{t.new_sql}}</h2><p class="big">{{sqlThisWeek}}</p><p>{{t.this_week}} · {{t.previous_week}}: {{sqlLastWeek}}</p></div>
        <div class="card"><h2>{{t.total_leads}}</h2><p class="big">{{totalLeads}}</p></div>
        </section>
        <section>
        <h2>{{t.grade_matrix}}</h2>
        <p class="help">{{t.grade_matrix_help}}</p>
        <table class="matrix" id="grade-matrix">
        <thead><tr><th scope="col">{{t.grade}} \ {{t.letter}}</th>{{#letters}}<th scope="col">{{.}}</th>{{/letters}}</tr></thead>
        <tbody>{{#matrix}}<tr><th scope="row">{{grade}}</th>{{#cells}}<td class="heat{{heat}}"><a href="{{href}}" title="{{label}}">{{count}}</a></td>{{/cells}}</tr>{{/matrix}}</tbody>
        </table>
        </section>
        <section>{{#trafficChart}}{{>chart-bars}}{{/trafficChart}}</section>
        <section class="columns">
        <div>
        <h2>{{t.top_interests}}</h2>
        <table id="top-interests"><thead><tr><th>{{t.interest}}</th><th class="num">{{t.leads_count}}</th></tr></thead>
        <tbody>{{#interests}}<tr><td><a href="{{href}}">{{name}}</a></td><td class="num">{{count}}</td></tr>{{/interests}}</tbody></table>
        </div>
        <div>
        <h2>{{t.last_run}}</h2>
        {{#lastRun}}<dl class="facts" id="last-run">
        <dt>{{t.started}}</dt><dd>{{started}}</dd><dt>{{t.duration}}</dt><dd>{{duration}}</dd>
        <dt>{{t.segments}} {{t.folded}}</dt><dd>{{segments}}</dd><dt>{{t.exit_status}}</dt><dd class="status{{exitCode}}">{{exitCode}}</dd>
        <dt>{{t.as_of}}</dt><dd>{{asOf}}</dd>
        </dl>{{/lastRun}}
        {{^lastRun}}<p>{{t.no_runs}}</p>{{/lastRun}}
        <p>{{t.segments_waiting}}: <strong id="segments-waiting">{{segmentsWaiting}}</strong></p>
        </div>
        </section>
        {{/hasData}}
        """#

    static let health = #"""
        {{<layout}}{{$body}}
        <h1>{{t.health_title}}</h1>
        <section>
        <h2>{{t.collectors}}</h2>
        {{#directories}}
        <h3>{{t.data_directory}} <code>{{path}}</code></h3>
        <p>{{t.open}}: {{open}} · {{t.sealed}}: {{sealed}} · {{t.folded}}: {{folded}} · {{t.not_folded}}: {{waiting}} · {{t.size}}: {{size}}</p>
        <table class="segments"><thead><tr><th>{{t.segments}}</th><th>{{t.status}}</th><th class="num">{{t.size}}</th></tr></thead>
        <tbody>{{#segments}}<tr><td><code>{{name}}</code></td><td>{{state}}</td><td class="num">{{size}}</td></tr>{{/segments}}</tbody></table>
        {{#more}}<p>… {{more}}</p>{{/more}}
        {{/directories}}
        </section>
        <section class="columns">
        <div><h2>{{t.outbox}}</h2><p><strong id="outbox">{{outbox}}</strong> {{t.waiting}}</p></div>
        <div><h2>{{t.webhooks}}</h2><p><strong id="webhooks-pending">{{webhooksPending}}</strong> {{t.waiting}} · <strong id="webhooks-dead">{{webhooksDead}}</strong> {{t.given_up}}</p></div>
        <div><h2>{{t.erasures_done}}</h2><p><strong id="erasures">{{erasures}}</strong></p></div>
        </section>
        <section>
        <h2>{{t.runs}}</h2>
        {{^runs}}<p>{{t.no_runs}}</p>{{/runs}}
        <table id="runs"><thead><tr><th>{{t.started}}</th><th>{{t.duration}}</th><th>{{t.as_of}}</th><th class="num">{{t.segments}}</th><th class="num">{{t.events}}</th><th class="num">{{t.leads_count}}</th><th>{{t.exit_status}}</th><th></th></tr></thead>
        <tbody>{{#runs}}<tr><td>{{started}}</td><td>{{duration}}</td><td>{{asOf}}</td><td class="num">{{segments}}</td><td class="num">{{events}}</td><td class="num">{{leads}}</td><td class="status{{exitCode}}">{{exitCode}}</td><td class="small">{{summary}}</td></tr>{{/runs}}</tbody></table>
        </section>
        {{/body}}{{/layout}}
        """#
}
