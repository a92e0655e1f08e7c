extension Templates {
    static let pages = #"""
        {{<layout}}{{$body}}
        <h1>{{t.pages_title}}</h1>
        <p class="help">{{t.pages_help}}</p>
        <form method="get" action="/pages" class="filters">
        <label>{{t.period}} <select name="days">{{#periods}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}} {{t.days_unit}}</option>{{/periods}}</select></label>
        <button type="submit">{{t.show}}</button> <a href="{{csvHref}}" download>{{t.download_pages_csv}}</a>
        </form>
        {{^hasPages}}<p class="notice">{{t.no_pages}}</p>{{/hasPages}}
        {{#hasPages}}
        <section>{{#pagesChart}}{{>chart-bars}}{{/pagesChart}}</section>
        <table id="pages"><thead><tr><th class="num">#</th><th>{{t.page}}</th><th class="num">{{t.people}}</th><th class="num">{{t.with_consent}}</th><th class="num">{{t.anonymous}}</th><th class="num">{{t.bots}}</th></tr></thead>
        <tbody>{{#pages}}<tr><td class="num">{{rank}}</td><td class="url">{{#linkable}}<a href="{{page}}" rel="noopener noreferrer nofollow">{{page}}</a>{{/linkable}}{{^linkable}}{{page}}{{/linkable}}</td><td class="num">{{human}}</td><td class="num">{{withConsent}}</td><td class="num">{{anonymous}}</td><td class="num">{{bot}}</td></tr>{{/pages}}</tbody></table>
        {{/hasPages}}
        {{/body}}{{/layout}}
        """#
}
