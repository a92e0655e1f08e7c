extension Templates {
    static let audiences = #"""
        {{<layout}}{{$body}}
        <h1>{{t.audiences_title}}</h1>
        <p class="help">{{t.audiences_help}}</p>
        {{^hasAudiences}}<p class="notice">{{t.no_audiences}}</p>{{/hasAudiences}}
        {{#hasAudiences}}
        <table id="audiences"><thead><tr><th>{{t.audience}}</th><th class="num">{{t.members}}</th></tr></thead>
        <tbody>{{#audiences}}<tr><td><a href="{{href}}" class="audience-link">{{name}}</a></td><td class="num">{{members}}</td></tr>{{/audiences}}</tbody></table>
        {{/hasAudiences}}
        {{/body}}{{/layout}}
        """#

    static let audience = #"""
        {{<layout}}{{$body}}
        <h1>{{t.audience}} <span id="audience-name">{{name}}</span></h1>
        <section class="cards">
        <div class="card"><h2>{{t.members}}</h2><p class="big" id="members">{{size}}</p><p><a href="{{csvHref}}" download>{{t.download_csv}}</a></p></div>
        </section>
        <section>{{#sizeChart}}{{>chart-line}}{{/sizeChart}}</section>
        <section class="columns">
        <div><h2>{{t.members}}</h2>
        <table id="audience-members"><thead><tr><th>{{t.lead}}</th><th>{{t.since}}</th></tr></thead>
        <tbody>{{#members}}<tr><td><a href="{{href}}">{{lead}}</a></td><td>{{since}}</td></tr>{{/members}}</tbody></table>
        {{#membersMore}}<p>… {{membersMore}}</p>{{/membersMore}}</div>
        <div><h2>{{t.audience_changes}}</h2>
        <table id="audience-changes"><thead><tr><th>{{t.time}}</th><th>{{t.lead}}</th><th></th></tr></thead>
        <tbody>{{#changes}}<tr><td>{{time}}</td><td><a href="{{href}}">{{lead}}</a></td><td>{{what}}</td></tr>{{/changes}}</tbody></table></div>
        </section>
        {{/body}}{{/layout}}
        """#
}
