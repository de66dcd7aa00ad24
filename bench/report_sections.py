"""Sections of docs/performance.md that a benchmark of their own writes."""


def splice_section(out_path, begin, end, block):
    """Puts `block` (from the `begin` marker to the `end` marker) into the
    page at `out_path`: in place of the one already there, or before
    "## What bounds each figure" (bench/write_report.py keeps such sections
    when it writes the rest of the page again)."""
    page = open(out_path).read()
    if begin in page and end in page:
        page = page[:page.index(begin)] + block + page[page.index(end) + len(end):]
    else:
        anchor = "## What bounds each figure"
        at_anchor = page.index(anchor)
        page = page[:at_anchor] + block + "\n\n" + page[at_anchor:]
    open(out_path, "w").write(page)
