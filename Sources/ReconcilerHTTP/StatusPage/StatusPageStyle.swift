/// The status page's whole stylesheet, inline: nothing is fetched from anywhere. Light and dark
/// follow the device; below 700 px tables fold into stacked rows for phones.
enum StatusPageStyle {
    static let css = """
        :root{--bg:#f5f6f8;--fg:#1c2430;--muted:#667085;--card:#fff;--line:#e3e6eb;--ok:#117a43;--ok-bg:#e3f5ea;\
        --warn:#8a5a00;--warn-bg:#fff2d6;--bad:#b42318;--bad-bg:#fde8e6;--info:#1d4ed8;--info-bg:#e4ecfd;--code:#eef0f3}
        @media (prefers-color-scheme:dark){:root{--bg:#0f141a;--fg:#e6e9ee;--muted:#98a2b3;--card:#171e27;--line:#2a3441;\
        --ok:#5fd38d;--ok-bg:#113222;--warn:#f5c451;--warn-bg:#3a2d0c;--bad:#ff8a80;--bad-bg:#3d1512;--info:#8fb2ff;--info-bg:#16254a;--code:#222c38}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
        .wrap{max-width:1180px;margin:0 auto;padding:0 20px}
        header.top{background:var(--card);border-bottom:1px solid var(--line);border-top:6px solid var(--muted);padding:18px 0 14px;margin-bottom:20px}
        header.top.ok{border-top-color:var(--ok)}header.top.warn{border-top-color:var(--warn)}
        header.top.bad{border-top-color:var(--bad)}header.top.info{border-top-color:var(--info)}
        .title{display:flex;align-items:center;gap:12px;flex-wrap:wrap}
        h1{font-size:24px;margin:0;letter-spacing:-.01em}h1 span{color:var(--muted);font-weight:500}
        header .badge{font-size:14px;padding:3px 10px}
        .summary{font-size:17px;margin:8px 0 4px}.meta{color:var(--muted);font-size:13px;margin:0}
        h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 10px}
        section{margin:0 0 26px}
        .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(350px,1fr));gap:14px}
        .card{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--line);border-radius:10px;padding:14px 16px;min-width:0}
        .card.ok{border-left-color:var(--ok)}.card.info{border-left-color:var(--info)}
        .card.warn{border-left-color:var(--warn)}.card.bad{border-left-color:var(--bad)}
        .card p{margin:0 0 8px}.big{font-size:15px}
        .kv{display:flex;gap:10px;padding:3px 0;border-top:1px dashed var(--line)}
        .kv .k{flex:0 0 78px;color:var(--muted);font-size:13px;padding-top:1px}.kv .v{min-width:0;overflow-wrap:anywhere}
        code{font:13px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;background:var(--code);padding:1px 5px;border-radius:4px}
        code.rev{font-weight:600;overflow-wrap:anywhere}.big code.rev{font-size:12.5px;display:inline-block;padding:3px 7px;letter-spacing:-.01em}
        code.id{font-size:12px;overflow-wrap:anywhere}
        .badge{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;white-space:nowrap;vertical-align:1px}
        .badge.ok{color:var(--ok);background:var(--ok-bg)}.badge.warn{color:var(--warn);background:var(--warn-bg)}
        .badge.bad{color:var(--bad);background:var(--bad-bg)}.badge.info{color:var(--info);background:var(--info-bg)}
        .badge.muted{color:var(--muted);background:var(--code)}
        .muted{color:var(--muted)}.ok-text{color:var(--ok);margin:0}
        .alert{border-radius:8px;padding:8px 10px;margin:8px 0 0;font-size:14px;overflow-wrap:anywhere}.alert ul.causes{margin:4px 0 0;padding-left:18px}.alert.bad{background:var(--bad-bg);color:var(--bad)}.alert.warn{background:var(--warn-bg);color:var(--warn)}
        .steps{list-style:none;display:flex;flex-wrap:wrap;gap:4px;padding:0;margin:4px 0 10px}
        .steps li{font-size:12px;padding:2px 8px;border-radius:6px;background:var(--code);color:var(--muted)}
        .steps li.done{background:var(--ok-bg);color:var(--ok)}.steps li.now{background:var(--info);color:#fff;font-weight:600}
        table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden}
        th,td{text-align:left;padding:9px 12px;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-size:12px;color:var(--muted);font-weight:600;background:var(--bg)}tr:last-child td{border-bottom:0}
        .note{font-size:12px;color:var(--muted);margin-top:2px}
        table.timeline tr.platform td{color:var(--muted);font-size:12px;padding-top:3px;padding-bottom:3px}table.timeline tr.platform td:first-child{padding-left:24px}
        table.timeline tr.added td{font-weight:600}
        details.log{margin:8px 0 0}details.log summary{font-size:13px;cursor:pointer}
        details.log pre{background:var(--code);border-radius:8px;padding:8px 10px;margin:4px 0 0;font-size:12px;overflow-x:auto;white-space:pre-wrap;max-height:24em;overflow-y:auto}
        ul.checks{list-style:none;margin:6px 0 0;padding:0;display:grid;gap:4px;font-size:14px}
        ul.drift{list-style:none;margin:0;padding:0;display:grid;gap:8px}
        ul.drift li{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--warn);border-radius:8px;padding:9px 12px}
        .drift-detail{color:var(--fg);margin-top:3px;overflow-wrap:anywhere}
        footer{color:var(--muted);font-size:13px;padding-bottom:30px}a{color:var(--info)}
        @media (max-width:700px){.wrap{padding:0 12px}.cards{grid-template-columns:1fr}h1{font-size:21px}
        table,thead,tbody,tr,td{display:block;width:100%}thead{display:none}table{border:0;background:none}
        tr{background:var(--card);border:1px solid var(--line);border-radius:10px;margin-bottom:8px;padding:4px 0}
        td{border:0;padding:4px 12px 4px 104px;position:relative;overflow-wrap:anywhere}td:empty{display:none}\
        td::before{content:attr(data-label);position:absolute;left:12px;top:6px;width:84px;color:var(--muted);font-size:12px}}
        """
}
