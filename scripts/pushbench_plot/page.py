"""index.html: the reports' provenance, per group its verdict, table and percentile chart, then the other charts.

The page is template.html with style.css inlined (package data next to this module)."""

import string
from importlib import resources

from .fmt import esc, fmt_bytes, fmt_si, num
from .table import group_heading, group_table


def _package_text(name):
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def report_meta(report):
    """Provenance of one report: file, suite, tool, host, kernel/compiler, libraries, run time, command."""
    env, tool = report.environment, report.tool
    libs = env.get("libraries") if isinstance(env.get("libraries"), dict) else {}
    items = [
        ("report", "<code>%s</code>" % esc(report.path)),
        ("suite", esc(report.suite if report.suite is not None else "—")),
        ("tool", esc("%s %s (%s)" % (tool.get("name", "?"), tool.get("version", "?"), tool.get("git_sha", "?")))),
        ("host", esc("%s — %s, %s CPUs, %s RAM" % (env.get("hostname", "?"), env.get("cpu_model", "?"),
                                                  env.get("cpus", "?"), fmt_bytes(num(env.get("memory_bytes")))))),
        ("kernel / compiler", esc("%s / %s" % (env.get("kernel", "?"), env.get("compiler", "?")))),
        ("libraries", esc(", ".join("%s %s" % (k, v) for k, v in libs.items()) or "—")),
        ("run", esc("%s → %s" % (report.started_at, report.finished_at))),
        ("command", "<code>%s</code>" % esc(report.command)),
    ]
    return '<table class="meta">%s</table>' % "".join('<tr><th>%s</th><td>%s</td></tr>' % (esc(k), v)
                                                      for k, v in items)


def _verdict_line(f):
    entries = f.get("entries") if isinstance(f, dict) else None
    entries = [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []
    if not entries:
        return None
    unit = f.get("unit") or ""
    best = entries[0]
    parts = ["<b>%s</b> best (%s%s)" % (esc(best.get("transport")), esc(fmt_si(num(best.get("value")))),
                                         (" " + esc(unit)) if unit else "")]
    for e in entries[1:]:
        ratio = num(e.get("ratio"))
        parts.append("%s %s (%s)" % (esc(e.get("transport")), "%.2f×" % ratio if ratio is not None else "n/a",
                                     esc(e.get("noise"))))
    return "<li>%s: %s</li>" % (esc(f.get("label")), "; ".join(parts))


def verdict_html(v):
    """The report's verdict for one group (pushbench computes it; this only draws it)."""
    if not isinstance(v, dict) or not isinstance(v.get("figures"), list):
        return ""
    c = v.get("conditions") if isinstance(v.get("conditions"), dict) else {}
    runs = c.get("runs")
    cond = "phase %s, server CPUs %s, load generator CPUs %s, %s" % (
        c.get("phase") or "n/a", c.get("server_cpus") or "unpinned", c.get("loadgen_cpus") or "unpinned",
        "%s runs each" % runs if isinstance(runs, int) and runs > 1 else "a single run")
    items = [line for line in (_verdict_line(f) for f in v["figures"]) if line is not None]
    if not items:
        return ""
    return '<div class="verdict"><p>Verdict (%s):</p><ul>%s</ul></div>' % (esc(cond), "".join(items))


def _figure(writer, stem):
    title, emb = writer.figures[stem]
    return "<figure>%s<figcaption>%s</figcaption></figure>" % (emb, esc(title))


def write_page(writer, model, group_stems):
    """Write index.html into the writer's directory (after every chart is saved)."""
    groups = []
    if not model.groups:
        groups.append("<p>No scenarios in the given report(s).</p>")
    verdicts = model.verdicts()
    for g, members in model.groups.items():
        groups.append("\n".join([group_heading(g, members), verdict_html(verdicts.get(g))] + group_table(members)))
        groups.append(_figure(writer, group_stems[g]))
    others = [_figure(writer, stem) for stem in writer.figures if stem not in group_stems.values()]
    page = string.Template(_package_text("template.html")).substitute(
        style=_package_text("style.css"), reports="\n".join(report_meta(r) for r in model.reports),
        groups="\n".join(groups), comparisons="\n".join(others))
    writer.write_text("index.html", page)
