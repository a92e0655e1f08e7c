/// The page frame, the sign-in page and the error page. Templates are Mustache: `{{x}}` is
/// HTML-escaped; the console never uses the unescaped forms.
extension Templates {
    static let layout = #"""
        <!doctype html>
        <html lang="{{lang}}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{t.app}}</title>
        <link rel="stylesheet" href="/static/console.css">
        </head>
        <body>
        <header class="top">
        <a class="brand" href="/">{{t.app}}</a>
        {{#signedIn}}
        <nav class="main" aria-label="{{t.app}}">
        <a href="/" {{#navOverview}}aria-current="page"{{/navOverview}}>{{t.nav_overview}}</a>
        <a href="/leads" {{#navLeads}}aria-current="page"{{/navLeads}}>{{t.nav_leads}}</a>
        <a href="/campaigns" {{#navCampaigns}}aria-current="page"{{/navCampaigns}}>{{t.nav_campaigns}}</a>
        <a href="/pages" {{#navPages}}aria-current="page"{{/navPages}}>{{t.nav_pages}}</a>
        <a href="/audiences" {{#navAudiences}}aria-current="page"{{/navAudiences}}>{{t.nav_audiences}}</a>
        <a href="/health" {{#navHealth}}aria-current="page"{{/navHealth}}>{{t.nav_health}}</a>
        </nav>
        <form method="post" action="/logout" class="logout">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span>{{t.signed_in_as}} <strong id="user-name">{{userName}}</strong> ({{role}})</span>
        <button type="submit" id="logout">{{t.logout}}</button>
        </form>
        {{/signedIn}}
        <nav class="lang" aria-label="{{t.language}}">
        <a href="/language?to=de&amp;back={{back}}" lang="de" hreflang="de" {{#isGerman}}aria-current="true"{{/isGerman}}>Deutsch</a>
        <a href="/language?to=en&amp;back={{back}}" lang="en" hreflang="en" {{^isGerman}}aria-current="true"{{/isGerman}}>English</a>
        </nav>
        </header>
        <main>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{$body}}{{/body}}
        </main>
        </body>
        </html>
        """#

    /// A page whose content another template already rendered (and escaped): the one place the
    /// console inserts HTML unescaped, and only HTML its own templates produced.
    static let prerendered = #"""
        {{<layout}}{{$body}}{{{bodyHTML}}}{{/body}}{{/layout}}
        """#

    static let login = #"""
        {{<layout}}{{$body}}
        <section class="login">
        <h1>{{t.login_title}}</h1>
        {{#error}}<p class="error" role="alert" id="login-error">{{error}}</p>{{/error}}
        <form method="post" action="/login">
        <input type="hidden" name="csrf" value="{{loginToken}}">
        <input type="hidden" name="next" value="{{next}}">
        <label>{{t.login_user}} <input name="user" id="user" autocomplete="username" required maxlength="64" value="{{userValue}}"></label>
        <label>{{t.login_password}} <input name="password" id="password" type="password" autocomplete="current-password" required maxlength="200"></label>
        <button type="submit" id="login">{{t.login_submit}}</button>
        </form>
        </section>
        {{/body}}{{/layout}}
        """#

    static let message = #"""
        {{<layout}}{{$body}}
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a href="/">{{t.back}}</a></p>
        {{/body}}{{/layout}}
        """#

    /// The figure's heading, the SVG's title and description, the axes and their ticks.
    static let chartTop = #"""
        <figure class="chart" id="{{id}}">
        <h2>{{title}}</h2>
        <svg role="img" aria-labelledby="{{id}}-title {{id}}-desc" viewBox="{{viewBox}}" width="{{width}}" height="{{height}}" class="chart-svg">
        <title id="{{id}}-title">{{title}}</title>
        <desc id="{{id}}-desc">{{description}}</desc>
        {{#yTicks}}<line class="grid" x1="{{left}}" x2="{{right}}" y1="{{y}}" y2="{{y}}"></line><text class="tick" x="{{left}}" dx="-6" y="{{ty}}" text-anchor="end">{{label}}</text>{{/yTicks}}
        <line class="axis" x1="{{left}}" x2="{{right}}" y1="{{bottom}}" y2="{{bottom}}"></line>
        <text class="axis-title" x="{{left}}" dx="-6" y="{{titleY}}" text-anchor="end">{{yTitle}}</text>
        <text class="axis-title" x="{{right}}" y="{{height}}" dy="-4" text-anchor="end">{{xTitle}}</text>
        {{#xTicks}}<text class="tick" x="{{x}}" y="{{labelY}}" text-anchor="middle">{{label}}</text>{{/xTicks}}
        """#

    /// The legend and the chart's numbers as a table (the text alternative people can read).
    static let chartNumbers = #"""
        <figcaption>{{#legend}}<span class="key {{style}}">■</span> {{name}} {{/legend}}</figcaption>
        <details><summary>{{t.chart_table}}</summary>
        <table class="numbers"><thead><tr><th>{{t.chart_days}}</th>{{#headers}}<th>{{name}}</th>{{/headers}}</tr></thead>
        <tbody>{{#rows}}<tr><td>{{label}}</td>{{#cells}}<td class="num">{{value}}</td>{{/cells}}</tr>{{/rows}}</tbody></table>
        </details>
        """#

    static let chartLine = #"""
        {{>chart-top}}
        {{#series}}<polyline class="line {{style}}" points="{{points}}"></polyline>{{#dots}}<circle class="dot {{style}}" cx="{{cx}}" cy="{{cy}}" r="3"></circle>{{/dots}}{{/series}}
        </svg>
        {{>chart-numbers}}
        </figure>
        """#

    static let chartBars = #"""
        {{>chart-top}}
        {{#rects}}<rect class="bar {{style}}" x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}"><title>{{tip}}</title></rect>{{/rects}}
        </svg>
        {{>chart-numbers}}
        </figure>
        """#
}
