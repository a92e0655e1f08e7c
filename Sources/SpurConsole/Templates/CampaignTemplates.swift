extension Templates {
    static let campaigns = #"""
        {{<layout}}{{$body}}
        <h1>{{t.campaigns_title}}</h1>
        {{^campaigns}}<p class="notice">{{t.no_campaigns}}</p>{{/campaigns}}
        {{#hasCampaigns}}
        <table id="campaigns"><thead><tr><th>{{t.campaign}}</th><th class="num">{{t.opens}}</th><th class="num">{{t.unique_opens}}</th><th class="num">{{t.clicks}}</th><th class="num">{{t.unique_clicks}}</th><th class="num">{{t.click_to_open}}</th><th>{{t.opens}}: {{t.split}}</th><th>{{t.clicks}}: {{t.split}}</th></tr></thead>
        <tbody>{{#campaigns}}<tr><td><a href="{{href}}" class="campaign-link">{{name}}</a></td><td class="num">{{opens}}</td><td class="num">{{uniqueOpens}}</td><td class="num">{{clicks}}</td><td class="num">{{uniqueClicks}}</td><td class="num">{{cto}}</td><td>{{openSplit}}</td><td>{{clickSplit}}</td></tr>{{/campaigns}}</tbody></table>
        {{/hasCampaigns}}
        {{/body}}{{/layout}}
        """#

    static let campaign = #"""
        {{<layout}}{{$body}}
        <h1>{{t.campaign_title}} <span id="campaign-id">{{name}}</span></h1>
        <section class="cards">
        <div class="card"><h2>{{t.opens}}</h2><p class="big">{{opens}}</p><p>{{t.unique_opens}} {{uniqueOpens}} · {{t.split}} {{openSplit}}</p></div>
        <div class="card"><h2>{{t.clicks}}</h2><p class="big">{{clicks}}</p><p>{{t.unique_clicks}} {{uniqueClicks}} · {{t.split}} {{clickSplit}}</p></div>
        <div class="card"><h2>{{t.click_to_open}}</h2><p class="big" id="cto">{{cto}}</p></div>
        <div class="card"><h2>{{t.site_visits}}</h2><p class="big" id="site-visits">{{siteHuman}}</p><p>{{t.with_consent}} {{site.with_consent}} · {{t.anonymous}} {{site.anonymous}} · {{t.bots}} {{site.bot}}</p></div>
        </section>
        <section>{{#timeChart}}{{>chart-line}}{{/timeChart}}</section>
        <section>
        <h2>{{t.links}}</h2>
        <table id="links"><thead><tr><th>{{t.url}}</th><th class="num">{{t.clicks}} ({{t.human}})</th><th class="num">{{t.unique_clicks}} ({{t.human}})</th><th class="num">{{t.clicks}}</th><th>{{t.flagged}}</th></tr></thead>
        <tbody>{{#links}}<tr><td class="url">{{#linkable}}<a href="{{url}}" rel="noopener noreferrer nofollow">{{url}}</a>{{/linkable}}{{^linkable}}{{url}}{{/linkable}}</td><td class="num">{{human}}</td><td class="num">{{uniqueHuman}}</td><td class="num">{{total}}</td><td>{{flagged}}</td></tr>{{/links}}</tbody></table>
        </section>
        <section>
        <h2>{{t.clickers}}</h2>
        <ul id="clickers">{{#clickers}}<li><a href="{{href}}">{{lead}}</a></li>{{/clickers}}</ul>
        </section>
        {{/body}}{{/layout}}
        """#
}
