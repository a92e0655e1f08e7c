extension Templates {
    static let leads = #"""
        {{<layout}}{{$body}}
        <h1>{{t.leads_title}}</h1>
        <form method="get" action="/leads" class="filters" id="lead-filters">
        <label>{{t.stage}} <select name="stage" id="f-stage"><option value="">{{t.any}}</option>{{#stages}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/stages}}</select></label>
        <label>{{t.grade}} <select name="grade" id="f-grade"><option value="">{{t.any}}</option>{{#grades}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/grades}}</select></label>
        <label>{{t.letter}} <select name="letter" id="f-letter"><option value="">{{t.any}}</option>{{#letters}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{value}}</option>{{/letters}}</select></label>
        <label>{{t.interest}} <input name="interest" id="f-interest" value="{{f.interest}}" maxlength="100"></label>
        <label>{{t.campaign}} <input name="campaign" id="f-campaign" value="{{f.campaign}}" maxlength="100"></label>
        <label>{{t.min_score}} <input name="min_score" id="f-min-score" type="number" step="any" value="{{f.minScore}}"></label>
        <label>{{t.search_id}} <input name="q" id="f-q" value="{{f.q}}" maxlength="256"></label>
        <label>{{t.sort}} <select name="sort" id="f-sort">{{#sorts}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/sorts}}</select></label>
        <button type="submit" id="apply">{{t.apply}}</button> <a href="/leads">{{t.reset}}</a>
        </form>
        <p><a href="{{csvHref}}" id="csv" download>{{t.download_csv}}</a></p>
        {{^leads}}<p class="notice">{{t.no_leads}}</p>{{/leads}}
        {{#hasLeads}}
        <table class="leads" id="leads">
        <thead><tr><th>{{t.lead}}</th><th>{{t.label}}</th><th class="num">{{t.score}}</th><th class="num">{{t.implicit}}</th><th class="num">{{t.explicit}}</th><th>{{t.stage}}</th><th>{{t.interests}}</th><th>{{t.last_seen}}</th></tr></thead>
        <tbody>{{#leads}}<tr><td><a href="{{href}}" class="lead-link">{{lead}}</a></td><td class="label">{{label}}</td><td class="num">{{score}}</td><td class="num">{{implicit}}</td><td class="num">{{explicit}}</td><td class="stage-{{stage}}">{{stage}}</td><td>{{interests}}</td><td>{{lastSeen}}</td></tr>{{/leads}}</tbody>
        </table>
        {{/hasLeads}}
        <p class="paging">{{#isLater}}<a href="{{firstHref}}">{{t.first_page}}</a>{{/isLater}} {{#nextHref}}<a href="{{nextHref}}" id="next-page" rel="next">{{t.next_page}}</a>{{/nextHref}}</p>
        {{/body}}{{/layout}}
        """#

    static let lead = #"""
        {{<layout}}{{$body}}
        <h1>{{t.lead_title}} <span id="lead-id">{{lead}}</span></h1>
        <p class="asof">{{t.as_of}} {{asOf}}</p>
        <section class="cards">
        <div class="card"><h2>{{t.score_parts}}</h2><p class="big" id="score">{{score}}</p><p>{{t.implicit}} <span id="implicit">{{implicit}}</span> + {{t.explicit}} <span id="explicit">{{explicit}}</span></p></div>
        <div class="card"><h2>{{t.label}}</h2><p class="big" id="label">{{label}}</p><p>{{t.grade}} <span id="grade">{{grade}}</span> · {{t.letter}} {{letter}}</p></div>
        <div class="card"><h2>{{t.stage}}</h2><p class="big" id="stage">{{stage}}</p><p>{{#stageSince}}{{t.since}} {{stageSince}}{{/stageSince}}</p></div>
        </section>
        <section>
        <h2>{{t.stage_history}}</h2>
        <ul id="stage-history">{{#stageHistory}}<li>{{day}}: {{stage}}</li>{{/stageHistory}}{{#mqlAt}}<li>MQL {{t.reached}} {{mqlAt}}</li>{{/mqlAt}}{{#sqlAt}}<li>SQL {{t.reached}} {{sqlAt}}</li>{{/sqlAt}}</ul>
        </section>
        <section>{{#scoreChart}}{{>chart-line}}{{/scoreChart}}</section>
        <section>
        <h2>{{t.rules}}</h2>
        <table id="rules"><thead><tr><th>{{t.rule}}</th><th class="num">{{t.points}}</th><th class="num">{{t.awarded}}</th><th class="num">{{t.events}}</th><th>{{t.not_counted}}</th></tr></thead>
        <tbody>{{#rules}}<tr><td>{{rule}}</td><td class="num">{{points}}</td><td class="num">{{awarded}}</td><td class="num">{{events}}</td><td>{{excluded}}</td></tr>{{/rules}}</tbody></table>
        </section>
        <section class="columns">
        <div><h2>{{t.interests}}</h2><ul id="interests">{{#interests}}<li><a href="{{href}}">{{name}}</a> {{weight}}</li>{{/interests}}</ul></div>
        <div><h2>{{t.attributes}}</h2><dl class="facts" id="attributes">{{#attributes}}<dt>{{key}}</dt><dd>{{value}}</dd>{{/attributes}}</dl></div>
        <div><h2>{{t.visitors}}</h2><ul id="visitors">{{#visitors}}<li><code>{{.}}</code></li>{{/visitors}}</ul>
        <p>{{t.first_seen}} {{firstSeen}} · {{t.last_seen}} {{lastSeen}}</p></div>
        <div><h2>{{t.touches}}</h2>{{^touches}}<p>{{t.no_touches}}</p>{{/touches}}<dl class="facts" id="touches">{{#touches}}<dt>{{name}}</dt><dd>{{source}} / {{medium}} / {{campaign}} · {{time}}<br><span class="url">{{url}}</span></dd>{{/touches}}</dl></div>
        <div><h2>{{t.consent}}</h2>{{^consents}}<p>{{t.no_consent}}</p>{{/consents}}<dl class="facts" id="consents">{{#consents}}<dt>{{time}}</dt><dd>{{state}} · {{source}}{{#banner}} · {{banner}}{{/banner}}</dd>{{/consents}}</dl></div>
        </section>
        <section>
        <h2>{{t.timeline}}</h2>
        <table id="timeline"><thead><tr><th>{{t.time}}</th><th>{{t.type}}</th><th>{{t.campaign}}</th><th>{{t.url}}</th><th>{{t.title}}</th><th>{{t.flags}}</th></tr></thead>
        <tbody>{{#events}}<tr><td>{{time}}</td><td>{{type}}{{#name}} ({{name}}){{/name}}</td><td>{{campaign}}</td><td class="url">{{#linkable}}<a href="{{url}}" rel="noopener noreferrer nofollow">{{url}}</a>{{/linkable}}{{^linkable}}{{url}}{{/linkable}}</td><td>{{title}}</td><td class="flags">{{flags}}{{#props}} <span class="props">{{props}}</span>{{/props}}</td></tr>{{/events}}</tbody></table>
        {{#eventsMore}}<p>… {{eventsMore}}</p>{{/eventsMore}}
        </section>
        {{#isAdmin}}
        <section class="danger">
        <h2>{{t.forget}}</h2>
        <p>{{t.forget_help}}</p>
        <form method="post" action="{{forgetAction}}" id="forget-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>{{t.forget_confirm}} <input name="confirm" id="forget-confirm" autocomplete="off" required></label>
        <button type="submit" id="forget" class="danger">{{t.forget_submit}}</button>
        </form>
        </section>
        {{/isAdmin}}
        {{/body}}{{/layout}}
        """#
}
