"""The shell every scorecard page shares: one HTML file with its style and a little script inline.

Nothing is fetched: no CDN, no web font (system font stacks), no image but inline SVG. The page is
complete without JavaScript; the script only adds sorting (click a column header), the findings
filter, opening a rule's documentation when a link points into it, and opening all of them before
printing. Narrow screens (375 px) stack table rows into cards instead of scrolling sideways.
"""

from __future__ import annotations

from html import escape

CSS = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;--good:#1a7f37;--fair:#9a6700;
--poor:#cf222e;--na:#59636e;--error:#cf222e;--warning:#9a6700;--info:#0969da}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
header,main,footer{max-width:1100px;margin:0 auto;padding:0 16px}
header{padding-top:20px}
h1{font-size:1.5rem;margin:0 0 4px}h2{font-size:1.2rem;margin:32px 0 8px;border-bottom:1px solid var(--line);
padding-bottom:4px}h3{font-size:1.05rem;margin:0 0 4px}
a{color:#0969da}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
pre{background:var(--soft);padding:8px;overflow-x:auto;white-space:pre-wrap}
.meta,.muted{color:var(--muted)}
.overall{display:flex;align-items:baseline;gap:12px;flex-wrap:wrap;margin:12px 0}
.big{font-size:2.6rem;font-weight:700;line-height:1}
.good{color:var(--good)}.fair{color:var(--fair)}.poor{color:var(--poor)}.na{color:var(--na)}
.notice{background:#fff8c5;border:1px solid #d4a72c;padding:8px 12px;border-radius:6px}
nav ul{list-style:none;padding:0;margin:8px 0;display:flex;flex-wrap:wrap;gap:4px 16px}
figure{margin:8px 0}figcaption{color:var(--muted);font-size:.9em}
svg.chart{width:100%;max-width:720px;display:block;overflow:visible}
svg.chart .lbl,svg.chart .val{font:12px system-ui,sans-serif;fill:#1f2328}svg.chart .track{fill:#eaeef2}
.legend{list-style:none;padding:0;display:flex;gap:16px;margin:4px 0;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:8px 0}
#scores-table,#families-table,#files-table,#worst-table{max-width:760px}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);overflow-wrap:normal}tbody th{background:none}abbr{text-decoration:none}
td.num,th.num{text-align:right}
th[data-sort]{cursor:pointer}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.practice{border:1px solid var(--line);border-radius:8px;padding:12px;break-inside:avoid}
.practice h3{display:flex;justify-content:space-between;gap:8px}.practice h3>span:last-child{white-space:nowrap}
.checks{list-style:none;padding:0;margin:8px 0 0;font-size:.9em}
.checks li{display:flex;gap:6px}.checks .st{flex:0 0 3.2em;font-weight:600}
.st.pass{color:var(--good)}.st.fail{color:var(--poor)}.st.off{color:var(--na);font-weight:400}
.sev{font-weight:600}.sev.error{color:var(--error)}.sev.warning{color:var(--warning)}.sev.info{color:var(--info)}
.help{color:var(--muted);font-size:.9em}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}.filters label{display:flex;gap:4px;align-items:center}
details.rule{border:1px solid var(--line);border-radius:6px;padding:4px 12px;margin:6px 0}
details.rule summary{cursor:pointer;font-weight:600}
footer{margin-top:40px;padding-bottom:40px;color:var(--muted);font-size:.9em}
@media (max-width:640px){
 .stack thead{display:none}.stack tr{display:block;border-bottom:1px solid var(--line);padding:6px 0}
 .stack td{display:block;border:0;padding:1px 4px}.stack td.num{text-align:left}
 .stack td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}
 th,td{padding:4px}.cards{grid-template-columns:1fr}.big{font-size:2rem}}
@media print{nav,.filters{display:none}body{font-size:11pt}a{color:inherit;text-decoration:none}
 h2{break-after:avoid}.practice,figure,tr{break-inside:avoid}header,main,footer{max-width:none}}
"""

SCRIPT = """
(function(){
function key(cell,type){var v=cell.getAttribute('data-value');if(v===null)v=cell.textContent.trim();
 if(type==='num'){var n=parseFloat(v);return isNaN(n)?-1:n}return v.toLowerCase()}
document.querySelectorAll('table.sortable').forEach(function(table){
 table.querySelectorAll('th[data-sort]').forEach(function(th,_){th.tabIndex=0;
  function sort(){var idx=Array.prototype.indexOf.call(th.parentNode.children,th);
   var asc=th.getAttribute('aria-sort')!=='ascending';
   table.querySelectorAll('th[aria-sort]').forEach(function(o){o.removeAttribute('aria-sort')});
   th.setAttribute('aria-sort',asc?'ascending':'descending');var body=table.tBodies[0];
   var rows=Array.prototype.slice.call(body.rows);var type=th.getAttribute('data-sort');
   rows.sort(function(a,b){var x=key(a.cells[idx],type),y=key(b.cells[idx],type);
    return (x<y?-1:x>y?1:0)*(asc?1:-1)});rows.forEach(function(r){body.appendChild(r)})}
  th.addEventListener('click',sort);th.addEventListener('keydown',function(e){if(e.key==='Enter')sort()})})});
var table=document.getElementById('findings-table'),box=document.getElementById('filters');
if(table&&box){box.hidden=false;var inputs=box.querySelectorAll('select,input');
 function apply(){var sev=box.querySelector('[name=severity]').value,pr=box.querySelector('[name=practice]').value,
  q=box.querySelector('[name=q]').value.toLowerCase(),shown=0;
  Array.prototype.forEach.call(table.tBodies[0].rows,function(r){var ok=(!sev||r.dataset.severity===sev)&&
   (!pr||r.dataset.practice===pr)&&(!q||r.textContent.toLowerCase().indexOf(q)>=0);r.hidden=!ok;if(ok)shown++});
  document.getElementById('shown').textContent=shown}
 inputs.forEach(function(i){i.addEventListener('input',apply)})}
function openTarget(){var id=location.hash.slice(1);var el=id&&document.getElementById(id);
 if(el&&el.tagName==='DETAILS')el.open=true}
window.addEventListener('hashchange',openTarget);openTarget();
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true})});
})();
"""


def document(title: str, body: str, description: str) -> str:
    """A complete page: `body` is trusted HTML built by the renderers (every value in it escaped)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="description" content="{escape(description)}">'
        f"<title>{escape(title)}</title>"
        # no request may leave the page: not even the browser's automatic /favicon.ico
        '<link rel="icon" href="data:,">'
        f"<style>{CSS}</style></head><body>{body}<script>{SCRIPT}</script></body></html>\n"
    )


def score_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def grade_class(grade: str) -> str:
    return "na" if grade == "n/a" else grade


def delta_text(now: float | None, before: float | None) -> tuple[str, str]:
    """The change of a score as text and a class: '+1.2' good, a minus sign and '0.4' poor, '±0' muted."""
    if now is None or before is None:
        return ("new" if before is None and now is not None else "—", "muted")
    change = round(now - before, 1)
    if change > 0:
        return f"+{change:.1f}", "good"
    if change < 0:
        return f"\u2212{-change:.1f}", "poor"  # a minus sign, not a hyphen
    return "±0", "muted"
