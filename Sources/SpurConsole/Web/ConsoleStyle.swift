/// The console's one stylesheet, served from `/static/console.css` (the Content-Security-Policy
/// allows no inline styles).
enum ConsoleStyle {
    static let css = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7fa; --accent: #0b5cad; --human: #2f7d4f; --proxy: #c08a1e; --bot: #b23b3b; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; color: var(--ink); text-decoration: none; }
        nav.main a { margin-right: .8rem; color: var(--accent); text-decoration: none; }
        nav.main a[aria-current] { font-weight: 700; border-bottom: 2px solid var(--accent); }
        form.logout { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
        nav.lang a { margin-left: .4rem; } nav.lang a[aria-current] { font-weight: 700; }
        main { padding: 1rem 1.2rem 3rem; max-width: 1200px; }
        h1 { font-size: 1.5rem; margin: .4rem 0 1rem; } h2 { font-size: 1.1rem; margin: 1.2rem 0 .5rem; }
        table { border-collapse: collapse; background: #fff; margin: .4rem 0; }
        th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left; vertical-align: top; }
        th { background: #eef1f6; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.url { max-width: 28rem; overflow-wrap: anywhere; } .small { font-size: .85em; color: var(--muted); }
        .cards { display: flex; flex-wrap: wrap; gap: 1rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; min-width: 12rem; }
        .card h2 { margin: 0; font-size: .95rem; color: var(--muted); } .card p { margin: .2rem 0; }
        .big { font-size: 2rem; font-weight: 700; }
        .columns { display: flex; flex-wrap: wrap; gap: 2rem; } .columns > div { min-width: 16rem; }
        .matrix td { text-align: center; min-width: 4rem; } .matrix a { display: block; color: inherit; }
        .heat0 { background: #fff; } .heat1 { background: #e4eefb; } .heat2 { background: #bcd5f5; } .heat3 { background: #8db8ee; } .heat4 { background: #5b97e0; color: #fff; }
        .filters { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; background: #fff; padding: .6rem; border: 1px solid var(--line); }
        .filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
        input, select, button { font: inherit; padding: .25rem .4rem; }
        button { cursor: pointer; } button.danger { background: var(--bot); color: #fff; border: 0; padding: .35rem .8rem; }
        .danger { border-top: 2px solid var(--bot); margin-top: 2rem; }
        .login { max-width: 22rem; margin: 3rem auto; background: #fff; padding: 1rem 1.4rem; border: 1px solid var(--line); }
        .login label { display: block; margin: .6rem 0; } .login input { width: 100%; }
        .error { color: var(--bot); font-weight: 600; } .notice { background: #fff7e0; border: 1px solid #ecd48a; padding: .5rem .8rem; }
        .status0 { color: var(--human); } .status1, .status2, .status3 { color: var(--bot); font-weight: 700; }
        .stage-sql { font-weight: 700; color: var(--bot); } .stage-mql { font-weight: 700; color: var(--proxy); }
        .facts { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; } .facts dd { margin: 0; }
        .chart-svg { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); }
        .chart .grid { stroke: #eceff4; } .chart .axis { stroke: var(--muted); }
        .chart .tick { font-size: 11px; fill: var(--muted); } .chart .axis-title { font-size: 11px; fill: var(--ink); }
        .key.s-score { color: var(--accent); } .key.s-implicit { color: var(--human); } .key.s-opens { color: var(--accent); } .key.s-clicks { color: var(--bot); }
        .line { fill: none; stroke-width: 2; } .dot { stroke: #fff; stroke-width: 1; }
        .s-score { stroke: var(--accent); fill: var(--accent); } .s-implicit { stroke: var(--human); fill: var(--human); }
        .s-opens { stroke: var(--accent); fill: var(--accent); } .s-clicks { stroke: var(--bot); fill: var(--bot); }
        polyline.s-score, polyline.s-implicit, polyline.s-opens, polyline.s-clicks { fill: none; }
        .bar.human, .key.human { fill: var(--human); color: var(--human); } .bar.proxy, .key.proxy { fill: var(--proxy); color: var(--proxy); }
        .bar.bot, .key.bot { fill: var(--bot); color: var(--bot); }
        figure { margin: 0; } figcaption { color: var(--muted); font-size: .9rem; }
        code { overflow-wrap: anywhere; }
        """
}
