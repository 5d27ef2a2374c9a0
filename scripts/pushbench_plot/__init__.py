"""Charts and an HTML summary from pushbench JSON reports (the code behind scripts/plot.py).

Modules: model (the report as plain objects, fallbacks for older reports), histogram, fmt, style, labels,
axes (shared drawing), one module per chart family (latency, groups, subscriptions, compression, find_max,
infra, workloads), output (saving figures), table and page (index.html, with template.html and style.css),
cli (the command line)."""
