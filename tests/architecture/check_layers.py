#!/usr/bin/env python3
"""Prints ExpectLab's library graph (core/, ui/ and their users) and fails on a cycle, on an edge
the layering below does not allow, or on a second HTTP/1.1 engine (PARSERS). Run by CTest as `architecture_layers`:

    check_layers.py SOURCE_DIR

It configures the tree afresh in a scratch folder and asks CMake for the graph (cmake --graphviz), so
it checks what the build really links, not what a convention says, and never touches a build in use.
"""
import os
import re
import subprocess
import sys
import tempfile

# Each library and the ones it may link (directly). Lower layers never link higher ones.
ALLOWED = {
    "expectlab_platform": set(),
    "expectlab_http": set(),
    "expectlab_timeline": {"expectlab_http"},
    "expectlab_transport": {"expectlab_timeline", "expectlab_http", "expectlab_platform"},
    "expectlab_tls": {"expectlab_transport", "expectlab_timeline"},
    "expectlab_server": {"expectlab_tls", "expectlab_transport", "expectlab_timeline", "expectlab_http", "expectlab_platform"},
    "expectlab_client": {"expectlab_tls", "expectlab_transport", "expectlab_timeline", "expectlab_http", "expectlab_platform"},
    "expectlab_proxy": {"expectlab_server", "expectlab_client", "expectlab_tls", "expectlab_transport", "expectlab_timeline",
                        "expectlab_http", "expectlab_platform"},
    "expectlab_probe": {"expectlab_client", "expectlab_tls", "expectlab_transport", "expectlab_timeline", "expectlab_http",
                        "expectlab_platform"},
    "expectlab_profile": {"expectlab_timeline", "expectlab_http"},
    "expectlab_matrix": {"expectlab_client", "expectlab_server", "expectlab_tls", "expectlab_timeline", "expectlab_http"},
    "expectlab_session": {"expectlab_proxy", "expectlab_probe", "expectlab_matrix", "expectlab_profile", "expectlab_client", "expectlab_server", "expectlab_timeline",
                          "expectlab_http"},
    "expectlab_interchange": {"expectlab_session", "expectlab_client", "expectlab_server", "expectlab_timeline",
                              "expectlab_http"},
}
CORE = set(ALLOWED)
ALL_CORE = CORE | {"expectlab_core"}
# ui's folders, lowest first: each may link core and the ui folders below it.
UI_ALLOWED = {
    "expectlab_ui_plots": set(),
    "expectlab_ui_tools": {"expectlab_ui_plots"},
    "expectlab_ui_workbench": {"expectlab_ui_tools", "expectlab_ui_plots"},
    "expectlab_ui": {"expectlab_ui_workbench", "expectlab_ui_tools", "expectlab_ui_plots"},
}


def graph(source):
    with tempfile.TemporaryDirectory() as tmp:
        dot = os.path.join(tmp, "targets.dot")
        subprocess.run(["cmake", "-S", source, "-B", os.path.join(tmp, "build"), "-G", "Ninja",
                        "--graphviz=" + dot], check=True, stdout=subprocess.DEVNULL)
        text = open(dot).read()
    names = dict(re.findall(r'"(node\d+)" \[ label = "([^"]+)"', text))
    edges = {}
    for a, b in re.findall(r'"(node\d+)" -> "(node\d+)"', text):
        edges.setdefault(names[a], set()).add(names[b])
    return edges


# One HTTP/1.1 engine per side: only these files (outside core/http) may parse responses or
# requests. The composed request and the probe both drive ClientConnection; the session reader
# decodes saved wire records, it talks to no peer.
PARSERS = {
    "HttpParser::Kind::Response": {"core/client/clientconnection.cpp"},
    "HttpParser::Kind::Request": {"core/server/serverconnection.cpp", "core/session/sessionfilereader.cpp"},
}


def parser_problems(files):
    """files: {relative path: text}. Which parse HTTP outside the allowed engines."""
    problems = []
    for path in sorted(files):
        if path.startswith("core/http/") or not path.startswith(("core/", "ui/", "app/")):
            continue
        for kind, allowed in PARSERS.items():
            if kind in files[path] and path not in allowed:
                problems.append("a second HTTP/1.1 engine: %s uses %s (allowed: %s)"
                                % (path, kind, ", ".join(sorted(allowed))))
    return problems


def sources(source):
    out = {}
    for top in ("core", "ui", "app"):
        for root, _, names in os.walk(os.path.join(source, top)):
            for n in names:
                if n.endswith((".cpp", ".h")):
                    path = os.path.join(root, n)
                    out[os.path.relpath(path, source)] = open(path, encoding="utf-8").read()
    return out


def ours(name):
    return name.startswith("expectlab")


def problems_of(deps):
    problems = []
    # Cycles, by depth-first search.
    state = {}

    def visit(n, path):
        state[n] = 1
        for m in sorted(deps.get(n, ())):
            if state.get(m) == 1:
                problems.append("cycle: " + " -> ".join(path + [n, m]))
            elif not state.get(m):
                visit(m, path + [n])
        state[n] = 2

    for n in sorted(deps):
        if not state.get(n):
            visit(n, [])
    # Edges among core's libraries beyond the allowed ones; core never links the UI.
    for a in sorted(deps):
        for b in sorted(deps[a]):
            if a in CORE and b in CORE and b not in ALLOWED[a]:
                problems.append("not allowed: %s -> %s" % (a, b))
            if a in CORE and b.startswith("expectlab_ui"):
                problems.append("core links the UI: %s -> %s" % (a, b))
            if a.startswith("expectlab_ui") and b == "expectlab":
                problems.append("the UI links the app: %s -> %s" % (a, b))
            if a in UI_ALLOWED and b.startswith("expectlab_ui") and b not in UI_ALLOWED[a]:
                problems.append("not allowed: %s -> %s" % (a, b))
    missing = (CORE | set(UI_ALLOWED)) - set(deps) - {n for bs in deps.values() for n in bs}
    if missing:
        problems.append("libraries of the layering not in the build: " + ", ".join(sorted(missing)))
    return problems


def self_test():
    """The check itself must be able to fail: a wrong-way edge, a cycle and the UI in core."""
    good = {a: set(bs) for a, bs in list(ALLOWED.items()) + list(UI_ALLOWED.items())}
    assert problems_of(good) == [], problems_of(good)
    for a, b in [("expectlab_http", "expectlab_server"), ("expectlab_server", "expectlab_client"),
                 ("expectlab_timeline", "expectlab_ui"), ("expectlab_ui", "expectlab"),
                 ("expectlab_ui_plots", "expectlab_ui_workbench"), ("expectlab_ui_tools", "expectlab_ui_workbench"),
                 ("expectlab_ui_plots", "expectlab_ui_tools")]:
        bad = {k: set(v) for k, v in good.items()}
        bad.setdefault(a, set()).add(b)
        assert problems_of(bad), "%s -> %s passed" % (a, b)
    assert parser_problems({"core/client/clientconnection.cpp": "HttpParser::Kind::Response"}) == []
    assert parser_problems({"core/probe/probeexchange.cpp": "HttpParser p(HttpParser::Kind::Response, this);"})
    print("self-test passed")
    return 0


def main():
    if sys.argv[1] == "--self-test":
        return self_test()
    edges = graph(sys.argv[1])
    deps = {a: {b for b in bs if ours(b)} for a, bs in edges.items() if ours(a)}
    # The graph, each library with what it links.
    for name in sorted(deps):
        print("%-24s -> %s" % (name, ", ".join(sorted(deps[name])) or "-"))
    problems = problems_of(deps) + parser_problems(sources(sys.argv[1]))
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
