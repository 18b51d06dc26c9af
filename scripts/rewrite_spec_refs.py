#!/usr/bin/env python3
"""Rewrites references to the old, unpublished spec notes into references to docs/.

    scripts/rewrite_spec_refs.py [--check] [PATH ...]

A maintenance tool, run once per tree. Every `spec/<file>.md <sections>` (also written
`../shared/spec/...`) in the given files or directories becomes `docs/<file>.md §<sections>`:

    spec/propagation.md 4.4, 7.3         ->  docs/propagation.md §4.4, §7.3
    spec/sampling.md sections 2-9        ->  docs/sampling.md §2-§9
    spec/serverless.md 6.3               ->  docs/lambda.md §6.3
    spec/propagation.md R-W3C-6          ->  docs/propagation.md R-W3C-6
    spec/ (the directory)                ->  docs/
    spec 7.3 (no file: the file or the header section says which)  ->  docs/lambda.md §7.3

docs/ keeps the section numbers and rule ids of the old notes, so only the path and the section
marker change. Every rewritten reference is then checked against the headings, numbered items and
rule ids of docs/*.md; a reference that has no home there is reported (exit status 1).

Default PATHs: the headers at the repository root, examples/, tests/, bench/, fuzz/. Only text
sources are touched (fuzz corpora, node_modules and JSON event fixtures are skipped). --check
rewrites nothing and prints what would change.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOC_OF = {
    "propagation.md": "propagation.md",
    "sampling.md": "sampling.md",
    "agent-protocol.md": "agent-protocol.md",
    "serverless.md": "lambda.md",
    "delivery-stats-metrics.md": "delivery.md",
    "baggage-and-http.md": "http.md",
}
TEXT_EXT = (".h", ".c", ".py", ".sh", ".js", ".md", ".mk", ".dict", ".txt", ".cmake")
SKIP_DIRS = {"corpus", "node_modules", ".git", "build"}

NUM = r"\d+(?:\.\d+)*"
SEP = r"(?:\s*,\s*|\s+and\s+|\s*-\s*|\s*/\s*)"
REF = re.compile(
    r"(?<![\w/.-])(?:\.\./shared/)?spec/(?P<file>[a-z-]+\.md)"
    r"(?P<lead>(?P<ws>[ \t]*\n[ \t]*(?:\*|#|//)[ \t]+|\s+)(?P<paren>\()?(?:sections?\s+)?)?"
    r"(?P<nums>(?<=[\s(])" + NUM + r"(?:" + SEP + NUM + r")*(?![\d.]*\d))?"
)
BARE_DIR = re.compile(r"(?<![\w/.-])(?:\.\./shared/)?spec/(?=[\s)\"',;:]|$)")
RULE = re.compile(r"\bR-[A-Z0-9]+-\d+\b")


def doc_anchors():
    """Section numbers and rule ids defined in each docs/*.md."""
    anchors = {}
    for name in set(DOC_OF.values()):
        secs, rules = set(), set()
        with open(os.path.join(ROOT, "docs", name), encoding="utf-8") as f:
            top = None
            for line in f:
                m = re.match(r"#{2,4}\s+(" + NUM + r")\.?\s", line)
                if m:
                    secs.add(m.group(1))
                    if line.startswith("## "):
                        top = m.group(1)
                m = re.match(r"(\d+)\.\s", line)  # item k of the list in section N is N.k
                if m and top:
                    secs.add(top + "." + m.group(1))
                m = re.match(r"\s*[-*]\s+\*\*(" + NUM + r")\*\*", line)
                if m:
                    secs.add(m.group(1))
                for r in re.findall(r"\*\*(R-[A-Z0-9]+-\d+)\*\*", line):
                    rules.add(r)
        anchors[name] = (secs, rules)
    return anchors


def rewrite_text(text, problems, where, anchors):
    def one(m):
        doc = DOC_OF.get(m.group("file"))
        if doc is None:
            problems.append("%s: no docs file for spec/%s" % (where, m.group("file")))
            return m.group(0)
        out = "docs/" + doc
        nums = m.group("nums")
        if nums:
            secs, _ = anchors[doc]
            parts = re.split("(" + SEP + ")", nums)
            new = ["§" + parts[0]]
            if parts[0] not in secs:
                problems.append("%s: docs/%s has no section %s (was spec/%s %s)"
                                % (where, doc, parts[0], m.group("file"), parts[0]))
            # Later numbers of a list are sections only while they name one ("5.2, 413 = ..." is
            # section 5.2 followed by prose); the rest of the text is left as it was.
            for k in range(1, len(parts), 2):
                if parts[k + 1] not in secs:
                    new.extend(parts[k:])
                    break
                new.extend([parts[k], "§" + parts[k + 1]])
            out += m.group("ws") + ("(" if m.group("paren") else "") + "".join(new)
        elif m.group("lead"):
            out += m.group("lead")
        return out

    text = REF.sub(one, text)
    text = BARE_DIR.sub("docs/", text)
    return text


# The short form "spec 7.3" (no file name) relies on the context. In these files it always means
# one document; in the headers the enclosing /*=== ... ===*/ banner decides (SHORT_BANNER).
SHORT_FILE = {
    "tests/propagation_test.c": "propagation.md",
    "tests/trace_test.c": "agent-protocol.md",
    "tests/trace_payload_check.py": "agent-protocol.md",
    "tests/lambda_span_test.c": "lambda.md",
    "tests/serverless_test.c": "lambda.md",
    "tests/fixtures/lambda/CONFORMANCE.md": "lambda.md",
    "dd_lambda.h": "lambda.md",
}
SHORT_HEADER_DEFAULT = {"dd_trace.h": "agent-protocol.md", "dd_propagation.h": "propagation.md"}
SHORT_BANNER = (("lambda", "lambda.md"), ("x-ray", "lambda.md"), ("_datadog", "lambda.md"),
                ("sampling", "sampling.md"))
SHORT = re.compile(r"\bspec(?P<lead>(?:\s+sections?)?\s+)(?P<nums>" + NUM + r"(?:" + SEP + NUM + r")*(?![\d.]*\d))")
BANNER = re.compile(r"^/\*===\s*(.*?)\s*===\*/")


def rewrite_short(text, rel, problems, anchors):
    out, banner = [], ""
    for line in text.splitlines(keepends=True):
        b = BANNER.match(line)
        if b:
            banner = b.group(1).lower()
        if not SHORT.search(line):
            out.append(line)
            continue
        doc = SHORT_FILE.get(rel)
        if doc is None and rel in SHORT_HEADER_DEFAULT:
            doc = SHORT_HEADER_DEFAULT[rel]
            for word, d in SHORT_BANNER:
                if word in banner:
                    doc = d
                    break
        if doc is None:
            problems.append("%s: \"%s\" names no document" % (rel, SHORT.search(line).group(0)))
            out.append(line)
            continue
        secs, _ = anchors[doc]

        def one(m):
            parts = re.split("(" + SEP + ")", m.group("nums"))
            if parts[0] not in secs:
                problems.append("%s: docs/%s has no section %s (was \"%s\")" % (rel, doc, parts[0], m.group(0)))
            new = ["docs/" + doc + " §" + parts[0]]
            for k in range(1, len(parts), 2):
                if parts[k + 1] not in secs:
                    new.extend(parts[k:])
                    break
                new.extend([parts[k], "§" + parts[k + 1]])
            return "".join(new)

        out.append(SHORT.sub(one, line))
    return "".join(out)


def check_rules(text, where, anchors, problems):
    """Rule ids next to a docs/ reference must exist in that document (or in any, for bare ids)."""
    every = set()
    for _, rules in anchors.values():
        every |= rules
    for r in set(RULE.findall(text)):
        if r not in every:
            problems.append("%s: rule id %s is defined in no docs file" % (where, r))


def files_under(paths):
    for p in paths:
        full = os.path.join(ROOT, p) if not os.path.isabs(p) else p
        if os.path.isfile(full):
            yield full
            continue
        for d, dirs, names in os.walk(full):
            dirs[:] = sorted(x for x in dirs if x not in SKIP_DIRS)
            for n in sorted(names):
                if n.endswith(TEXT_EXT):
                    yield os.path.join(d, n)


def main(argv):
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    if not paths:
        paths = sorted(n for n in os.listdir(ROOT) if n.endswith(".h")) + ["examples", "tests", "bench", "fuzz"]
    anchors = doc_anchors()
    problems, changed = [], []
    for path in files_under(paths):
        rel = os.path.relpath(path, ROOT)
        try:
            with open(path, encoding="utf-8") as f:
                old = f.read()
        except UnicodeDecodeError:
            continue
        if "spec" not in old and not RULE.search(old):
            continue
        new = rewrite_text(old, problems, rel, anchors)
        new = rewrite_short(new, rel, problems, anchors)
        check_rules(old, rel, anchors, problems)
        if new != old:
            changed.append(rel)
            if check:
                for a, b in zip(old.splitlines(), new.splitlines()):
                    if a != b:
                        print("%s\n  - %s\n  + %s" % (rel, a.strip(), b.strip()))
            else:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(new)
    for p in problems:
        print("unresolved: " + p, file=sys.stderr)
    print("%s %d file(s); %d unresolved reference(s)"
          % ("would change" if check else "changed", len(changed), len(problems)))
    for c in changed:
        print("  " + c)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
