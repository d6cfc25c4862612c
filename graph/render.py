"""The interactive ownership page: a `GraphView` drawn with pyvis / vis-network.

The page is one self-contained HTML file: vis-network (shipped inside pyvis)
is inlined, no CDN or font URL remains, and a Content-Security-Policy forbids
any request, so it works offline and leaks nothing about what is looked at.

Every name and value comes from registries and uploads and is untrusted:

- page text (title, legend, subtitle) goes through Jinja autoescaping;
- node and edge data are embedded as JSON with ``<``, ``>``, ``&``, quotes and
  the JS line separators escaped as ``\\uXXXX``, so no value can close the
  ``<script>`` block;
- tooltips are plain strings, which vis-network 9 shows with ``innerText``
  (only a DOM Element would be shown as HTML), and the details panel uses
  ``textContent``;
- pyvis's own template is not used: it pulls Bootstrap from a CDN, prints the
  heading unescaped and switches to an ``innerHTML`` popup whenever a title
  contains "href";
- the CSP allows only the page's own scripts (by hash), so even an injected
  ``onerror=`` attribute would not run.

The visual language follows beneficial-ownership diagrams (Open Ownership's
BODS visualiser): owners above what they own, ownership and control in
different colours, width by share, shape by kind of party.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Set
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import networkx as nx
from jinja2 import Environment, Template
from markupsafe import Markup
from pyvis.network import Network

from ownergraph.graph.neighbourhood import (
    ACTS_IN_CONCERT,
    COLLAPSED,
    CONTROLS,
    MORE_KIND,
    OWNS,
    GraphView,
    ViewEdge,
    ViewNode,
    mark_control,
)

# Above this many nodes the physics simulation would keep the browser busy
# for seconds; the hierarchical layout alone places the nodes.
PHYSICS_NODE_LIMIT = 150
_LABEL_MAX = 48  # characters per label line; the tooltip has the full text

OWNS_COLOUR = "#2f6db5"
CONTROL_COLOUR = "#e07b00"
CONCERT_COLOUR = "#8e44ad"
LINK_COLOUR = "#8d8d8d"
CHAIN_COLOUR = "#c62828"
CONTROLLER_FILL = "#ffd54f"


@dataclass(frozen=True, slots=True)
class _KindStyle:
    label: str  # legend text
    shape: str  # vis-network shape
    fill: str
    border: str
    dashed: bool = False
    rounded: bool = False  # a pill-shaped box, to tell funds from companies


_KINDS: dict[str, _KindStyle] = {
    "company": _KindStyle("Company", "box", "#e8f1fb", "#2f6db5"),
    "partnership": _KindStyle("Partnership", "diamond", "#e3f4ea", "#2e7d4f"),
    "fund": _KindStyle("Fund", "box", "#e0f2f1", "#00796b", rounded=True),
    "person": _KindStyle("Person", "ellipse", "#fde7ef", "#ad1457"),
    "state_body": _KindStyle("State body", "hexagon", "#ede7f6", "#4527a0"),
    "other": _KindStyle("Other party", "box", "#f2f2f2", "#616161"),
    "unknown": _KindStyle("Unknown party", "ellipse", "#eeeeee", "#9e9e9e", dashed=True),
    MORE_KIND: _KindStyle("More, not shown", "box", "#ffffff", "#9e9e9e", dashed=True),
}
# Shapes whose label sits under the shape instead of inside it.
_LABEL_BELOW = {"diamond", "hexagon", "dot", "star", "triangle", "square"}

_BASIS_TEXT = {
    "general_partner": "general partner",
    "agreement": "agreement",
    "board": "board",
    "declared": "declared",
    "consolidation": "consolidation",
}


@dataclass(frozen=True)
class RenderedPage:
    """A page and its Content-Security-Policy (also in the page's meta tag; a server sends it as a header too)."""

    html: str
    csp: str


def render_page(
    view: GraphView,
    *,
    title: str,
    controller_ids: Set[str] = frozenset(),
    chain_edges: Set[tuple[str, str]] = frozenset(),
) -> RenderedPage:
    """The self-contained HTML page of ``view``, with its policy.

    ``controller_ids`` and ``chain_edges`` (``(source, target)`` pairs) add to
    the marks already in the view (see `graph.neighbourhood.mark_control`).

    >>> from ownergraph.graph.neighbourhood import GraphView, ViewNode
    >>> v = GraphView("A", "2024-01-01", "up", 1, (ViewNode("A", "Alpha", "company", 0),), (), False)
    >>> page = render_page(v, title="Alpha")
    >>> "<title>Alpha</title>" in page.html and page.csp.startswith("default-src 'none'")
    True
    """
    view = _with_marks(view, controller_ids, chain_edges)
    net = _network(view)
    physics = len(view.nodes) <= PHYSICS_NODE_LIMIT
    script = _init_script(net.nodes, net.edges, _options(physics))
    scripts = [_vis_js(), script]
    csp = _csp(scripts)
    html = _template().render(  # autoescaped: title and legend text are data
        title=title,
        subtitle=_subtitle(view),
        legend=_legend(view),
        vis_css=Markup(_vis_css()),
        scripts=[Markup(s) for s in scripts],
        csp=csp,
    )
    return RenderedPage(html, csp)


def render_html(
    view: GraphView,
    *,
    title: str,
    controller_ids: Set[str] = frozenset(),
    chain_edges: Set[tuple[str, str]] = frozenset(),
) -> str:
    """The self-contained HTML page of ``view`` (see `render_page`).

    >>> from ownergraph.graph.neighbourhood import GraphView, ViewNode
    >>> v = GraphView("A", "2024-01-01", "up", 1, (ViewNode("A", "Alpha", "company", 0),), (), False)
    >>> page = render_html(v, title="Alpha")
    >>> "<title>Alpha</title>" in page and "https://" not in page.split("<script")[0]
    True
    """
    return render_page(view, title=title, controller_ids=controller_ids, chain_edges=chain_edges).html


def render_view_file(
    view: GraphView,
    path: str | Path,
    *,
    title: str | None = None,
    controller_ids: Set[str] = frozenset(),
    chain_edges: Set[tuple[str, str]] = frozenset(),
) -> Path:
    """Write the page of ``view`` to ``path`` (UTF-8) and return the path.

    The title defaults to the center's name, for ``ownergraph view ID -o FILE``.
    """
    if title is None:
        center = next((n for n in view.nodes if n.id == view.center), None)
        title = f"Ownership of {center.name if center else view.center}"
    out = Path(path)
    page = render_html(view, title=title, controller_ids=controller_ids, chain_edges=chain_edges)
    out.write_text(page, encoding="utf-8")
    return out


def explorer_style() -> dict[str, Any]:
    """The visual language of the page as data, for the explorer's script that draws ``graph.json`` itself.

    >>> style = explorer_style()
    >>> style["colours"]["chain"] == CHAIN_COLOUR and style["kinds"]["person"]["shape"]
    'ellipse'
    """
    return {
        "kinds": {
            kind: {"label": s.label, "shape": s.shape, "fill": s.fill, "border": s.border,
                   "dashed": s.dashed, "rounded": s.rounded}
            for kind, s in _KINDS.items()
        },
        "colours": {"owns": OWNS_COLOUR, "controls": CONTROL_COLOUR, "concert": CONCERT_COLOUR,
                    "link": LINK_COLOUR, "chain": CHAIN_COLOUR, "controller": CONTROLLER_FILL},
        "basis": dict(_BASIS_TEXT),
        "labelBelow": sorted(_LABEL_BELOW),
        "labelMax": _LABEL_MAX,
        "physicsNodeLimit": PHYSICS_NODE_LIMIT,
        "options": {"physics": _options(True), "static": _options(False)},
    }


def script_json(value: Any) -> str:
    """JSON that is also safe inside an HTML ``<script>`` element.

    >>> script_json({"name": "</script><b>&'"})
    '{"name": "\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u0027"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    for char, escaped in _SCRIPT_ESCAPES:
        text = text.replace(char, escaped)
    return text


_SCRIPT_ESCAPES = (
    ("&", "\\u0026"),  # first, so the escapes below are not re-escaped
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("'", "\\u0027"),
    ("\u2028", "\\u2028"),  # line separators end a JS string literal in older engines
    ("\u2029", "\\u2029"),
)


def _with_marks(view: GraphView, controller_ids: Set[str], chain_edges: Set[tuple[str, str]]) -> GraphView:
    if not controller_ids and not chain_edges:
        return view
    controllers = {n.id for n in view.nodes if n.is_controller} | set(controller_ids)
    chain = {(e.source, e.target) for e in view.edges if e.on_control_chain} | set(chain_edges)
    return mark_control(view, controllers, chain)


# --- the network -----------------------------------------------------------


def _network(view: GraphView) -> Network:
    net = Network(directed=True, cdn_resources="in_line")
    levels = _layout_levels(view)
    names = {n.id: n.name for n in view.nodes}
    for node in view.nodes:
        net.add_node(node.id, **_node_options(node, levels[node.id], node.id == view.center))
    seen_pairs: dict[frozenset[str], int] = {}
    for i, edge in enumerate(view.edges):
        options = _edge_options(edge, f"e{i}", names)
        pair = frozenset((edge.source, edge.target))
        parallel = seen_pairs[pair] = seen_pairs.get(pair, -1) + 1
        if parallel:
            # A GP often both owns a little of the partnership and controls it:
            # bend the second line so both lines and labels stay readable.
            side = "curvedCW" if parallel % 2 else "curvedCCW"
            options["smooth"] = {"enabled": True, "type": side, "roundness": 0.25 * ((parallel + 1) // 2)}
        net.add_edge(edge.source, edge.target, **options)
    return net


def _layout_levels(view: GraphView) -> dict[str, int]:
    """Rows of the hierarchical layout: every owner above what it owns.

    BFS distance alone would put an owner of both the center and of a direct
    owner on the same row as that owner; here owners are ranked by the longest
    ownership path down to the center and holdings by the longest path from
    it. Members of an ownership cycle share a row.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(n.id for n in view.nodes)
    graph.add_edges_from((e.source, e.target) for e in view.edges if e.relation != ACTS_IN_CONCERT)
    dag = nx.condensation(graph)
    level = {n.id: n.level for n in view.nodes}
    members: dict[int, set[str]] = {c: dag.nodes[c]["members"] for c in dag.nodes}
    center = dag.graph["mapping"][view.center]
    upper = {c for c, m in members.items() if all(level[i] <= 0 for i in m)}
    rank: dict[int, int] = {center: 0}
    order = list(nx.topological_sort(dag))
    for c in reversed(order):  # successors first: owners go just above their highest holding
        if c != center and c in upper:
            below = [rank[s] - 1 for s in dag.successors(c) if s in upper and s in rank]
            rank[c] = min(below) if below else min(level[i] for i in members[c])
    for c in order:  # predecessors first: holdings go just below their lowest owner
        if c not in rank:
            above = [rank[p] + 1 for p in dag.predecessors(c) if p in rank and p not in upper]
            above += [rank[center] + 1] if dag.has_edge(center, c) else []
            rank[c] = max(above) if above else max(level[i] for i in members[c])
    top = min(rank.values())
    return {i: rank[c] - top for c, m in members.items() for i in m}


def _node_options(node: ViewNode, layout_level: int, is_center: bool) -> dict[str, Any]:
    style = _KINDS.get(node.kind, _KINDS["other"])
    fill, border, border_width = style.fill, style.border, 1.5
    if is_center:
        border_width = 3
    if node.is_controller:
        fill, border, border_width = CONTROLLER_FILL, CHAIN_COLOUR, 5
    options: dict[str, Any] = {
        "label": _node_label(node),
        "title": _node_title(node, is_center),
        "shape": style.shape,
        "level": layout_level,
        "borderWidth": border_width,
        "borderWidthSelected": border_width + 1,
        "color": {
            "background": fill,
            "border": border,
            "highlight": {"background": fill, "border": "#000000"},
            "hover": {"background": fill, "border": "#000000"},
        },
        "shapeProperties": {
            "borderDashes": [5, 4] if style.dashed else False,
            "borderRadius": 14 if style.rounded else 3,
        },
        "kind": node.kind,  # kept on the vis item so the page (and tests) can read it
        "isController": node.is_controller,
        "isCenter": is_center,
    }
    if style.shape in _LABEL_BELOW:
        options["size"] = 20 if node.kind == "state_body" else 16
    if node.kind == MORE_KIND:
        options["font"] = {"color": "#616161"}
    if is_center:
        options["font"] = {"size": 16}
    return options


def _truncate(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _node_label(node: ViewNode) -> str:
    lines = [_truncate(node.name)]
    if node.name_en and node.name_en != node.name:
        lines.append(_truncate(node.name_en))
    return "\n".join(lines)


def _node_title(node: ViewNode, is_center: bool) -> str:
    if node.kind == MORE_KIND:
        return f"{node.collapsed_count} more not shown (node budget reached)"
    kind = _KINDS.get(node.kind, _KINDS["other"]).label
    lines = [node.name]
    lines += [f"English name: {node.name_en}"] if node.name_en else []
    lines.append(f"Kind: {kind}" + (f" · Jurisdiction: {node.jurisdiction}" if node.jurisdiction else ""))
    lines.append(f"Founded: {node.founded or 'unknown'}")
    lines += [f"Dissolved: {node.dissolved}"] if node.dissolved else []
    lines += [f"Status: {node.status}"] if node.status else []
    lines.append(f"ID: {node.id}")
    lines += ["The entity looked at"] if is_center else []
    lines += ["Ultimate controller"] if node.is_controller else []
    return "\n".join(lines)


def share_label(edge: ViewEdge) -> str:
    """How a stake's share is printed: exact, a range, bounded on one side, or "?".

    >>> share_label(ViewEdge("a", "b", "OWNS", share_min=0.25, share_max=0.5))
    '25–50%'
    >>> share_label(ViewEdge("a", "b", "OWNS", share=0.125, share_derived=True))
    '≈12.5%'
    >>> share_label(ViewEdge("a", "b", "OWNS"))
    '?'
    """
    prefix = "≈" if edge.share_derived else ""
    if edge.share is not None:
        return f"{prefix}{_percent(edge.share)}%"
    low, high = edge.share_min, edge.share_max
    if low is not None and high is not None:
        return f"{prefix}{_percent(low)}–{_percent(high)}%"
    if low is not None:
        return f"{prefix}≥{_percent(low)}%"
    if high is not None:
        return f"{prefix}≤{_percent(high)}%"
    return "?"


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.2f}".rstrip("0").rstrip(".")


def _share_weight(edge: ViewEdge) -> float:
    """The share drawn as line width: exact, else the middle of what is known, else 0."""
    if edge.share is not None:
        return edge.share
    known = [v for v in (edge.share_min, edge.share_max) if v is not None]
    return sum(known) / len(known) if known else 0.0


def _edge_options(edge: ViewEdge, edge_id: str, names: dict[str, str]) -> dict[str, Any]:
    colour, dashes, label, width = _edge_style(edge)
    if edge.on_control_chain:
        colour, width = CHAIN_COLOUR, width + 3
    options: dict[str, Any] = {
        "id": edge_id,
        "label": label,
        "title": _edge_title(edge, names),
        "width": width,
        "dashes": dashes,
        "color": {"color": colour, "highlight": colour, "hover": colour},
        "relation": edge.relation,
        "onControlChain": edge.on_control_chain,
    }
    if edge.relation == ACTS_IN_CONCERT:
        options["arrows"] = {"to": {"enabled": False}}
    return options


def _edge_style(edge: ViewEdge) -> tuple[str, bool | list[int], str, float]:
    """Colour, dash pattern, label and width by relation."""
    if edge.relation == OWNS:
        return OWNS_COLOUR, False, share_label(edge), 1 + 6 * _share_weight(edge)
    if edge.relation == CONTROLS:
        return CONTROL_COLOUR, [8, 4], _BASIS_TEXT.get(edge.basis or "", edge.basis or "control"), 2.5
    if edge.relation == ACTS_IN_CONCERT:
        return CONCERT_COLOUR, [2, 4], "", 2  # the legend names it; a label would crowd the owners row
    if edge.relation == COLLAPSED:
        return LINK_COLOUR, [2, 3], "", 1
    return LINK_COLOUR, [6, 6], edge.relation, 1


def _edge_title(edge: ViewEdge, names: dict[str, str]) -> str:
    if edge.relation == COLLAPSED:
        return "More relations, not shown (node budget reached)"
    arrow = "↔" if edge.relation == ACTS_IN_CONCERT else "→"
    lines = [f"{names.get(edge.source, edge.source)} {arrow} {names.get(edge.target, edge.target)}"]
    lines.append(_relation_text(edge))
    lines.append(f"Valid: {edge.start or 'since ever'} to {edge.end or 'open'}")
    lines += [f"Source: {edge.provenance}"] if edge.provenance else []
    lines += [f"Detail: {edge.detail}"] if edge.detail else []
    lines += ["On the chain of control"] if edge.on_control_chain else []
    return "\n".join(lines)


def _relation_text(edge: ViewEdge) -> str:
    if edge.relation == OWNS:
        text = f"Owns {share_label(edge)}"
        if edge.share_raw:
            text += f" (as stated: {edge.share_raw})"
        if edge.share_derived:
            text += ", derived from subscribed capital"
        return text
    if edge.relation == CONTROLS:
        return f"Controls (basis: {_BASIS_TEXT.get(edge.basis or '', edge.basis or 'not stated')})"
    if edge.relation == ACTS_IN_CONCERT:
        return "Act in concert" + (f" for {edge.scope_id}" if edge.scope_id else "")
    return f"Link: {edge.relation}"


def _options(physics: bool) -> dict[str, Any]:
    return {
        "layout": {
            "hierarchical": {
                "enabled": True,
                "direction": "UD",
                "sortMethod": "directed",  # levels are given; this only orders within a row
                "levelSeparation": 140,
                "nodeSpacing": 190,
                "treeSpacing": 220,
                # Crossing reduction is what makes vis-network take seconds on
                # hundreds of nodes; small views keep it for a tidier picture.
                "edgeMinimization": physics,
            }
        },
        "physics": {
            "enabled": physics,
            "solver": "hierarchicalRepulsion",
            "hierarchicalRepulsion": {"nodeDistance": 190, "avoidOverlap": 1},
            "stabilization": {"enabled": physics, "iterations": 400, "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "keyboard": True},
        "nodes": {
            "margin": 10,
            "font": {"size": 14, "face": "DejaVu Sans, Liberation Sans, Arial, sans-serif"},
            "widthConstraint": {"maximum": 260},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}},
            # Curved edges cost a lot of drawing time on big graphs.
            "smooth": ({"type": "cubicBezier", "forceDirection": "vertical", "roundness": 0.45} if physics else False),
            "font": {"size": 13, "align": "horizontal", "strokeWidth": 4, "strokeColor": "#ffffff"},
        },
    }


# --- the page ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LegendItem:
    icon: Markup  # a fixed SVG from this module, never built from data
    text: str


def _legend(view: GraphView) -> list[_LegendItem]:
    """Legend entries for what the view actually shows, so the key stays short."""
    kinds = {n.kind if n.kind in _KINDS else "other" for n in view.nodes}
    relations = {e.relation for e in view.edges}
    items = [_LegendItem(_kind_icon(_KINDS[k]), _KINDS[k].label) for k in _KINDS if k in kinds]
    items.append(_LegendItem(_line_icon(OWNS_COLOUR, "", 4), "Owns (width by share; ≈ derived, ? unknown)"))
    if CONTROLS in relations:
        items.append(_LegendItem(_line_icon(CONTROL_COLOUR, "8 4", 2.5), "Controls (basis on the line)"))
    if ACTS_IN_CONCERT in relations:
        items.append(_LegendItem(_line_icon(CONCERT_COLOUR, "2 4", 2), "Act in concert"))
    if relations - {OWNS, CONTROLS, ACTS_IN_CONCERT, COLLAPSED}:
        items.append(_LegendItem(_line_icon(LINK_COLOUR, "6 6", 1.5), "Other link (type on the line)"))
    if any(n.is_controller for n in view.nodes):
        style = _KindStyle("", "box", CONTROLLER_FILL, CHAIN_COLOUR)
        items.append(_LegendItem(_kind_icon(style, border_width=4), "Ultimate controller"))
    if any(e.on_control_chain for e in view.edges):
        items.append(_LegendItem(_line_icon(CHAIN_COLOUR, "", 5), "Chain of control"))
    return items


_SHAPE_SVG = {
    "box": '<rect x="3" y="5" width="26" height="14" rx="2"{a}/>',
    "ellipse": '<ellipse cx="16" cy="12" rx="13" ry="8"{a}/>',
    "diamond": '<polygon points="16,2 28,12 16,22 4,12"{a}/>',
    "hexagon": '<polygon points="9,3 23,3 29,12 23,21 9,21 3,12"{a}/>',
    "pill": '<rect x="3" y="5" width="26" height="14" rx="7"{a}/>',
}


def _kind_icon(style: _KindStyle, border_width: float = 1.5) -> Markup:
    dash = ' stroke-dasharray="3 2"' if style.dashed else ""
    attrs = f' fill="{style.fill}" stroke="{style.border}" stroke-width="{border_width}"{dash}'
    shape_key = "pill" if style.rounded else style.shape
    shape = _SHAPE_SVG.get(shape_key, _SHAPE_SVG["box"]).format(a=attrs)
    return Markup(f'<svg width="32" height="24" aria-hidden="true">{shape}</svg>')


def _line_icon(colour: str, dashes: str, width: float) -> Markup:
    dash = f' stroke-dasharray="{dashes}"' if dashes else ""
    return Markup(
        f'<svg width="32" height="24" aria-hidden="true"><line x1="2" y1="12" x2="30" y2="12"'
        f' stroke="{colour}" stroke-width="{width}"{dash}/></svg>'
    )


def _subtitle(view: GraphView) -> str:
    side = {"up": "owners", "down": "holdings", "both": "owners and holdings"}.get(view.direction, "")
    text = f"{side} up to {view.depth} levels, as of {view.as_of} · {len(view.nodes)} nodes"
    if view.truncated:
        text += " · some parties are folded into “+N more” nodes"
    return text


def _init_script(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], options: dict[str, Any]) -> str:
    """The page's own script: globals ``nodes``, ``edges``, ``network`` as pyvis pages have."""
    return (
        _INIT_SCRIPT.replace("__NODES__", script_json(nodes))
        .replace("__EDGES__", script_json(edges))
        .replace("__OPTIONS__", script_json(options))
    )


_INIT_SCRIPT = """
var nodes, edges, network;
(function () {
  "use strict";
  var started = performance.now();
  nodes = new vis.DataSet(__NODES__);
  edges = new vis.DataSet(__EDGES__);
  var container = document.getElementById("mynetwork");
  var options = __OPTIONS__;
  network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  var details = document.getElementById("details");
  function show(item) {
    // textContent: the data is untrusted and must never become markup.
    details.textContent = item ? item.title : "Click a party or a line to see its details.";
  }
  network.on("click", function (params) {
    if (params.nodes.length) { show(nodes.get(params.nodes[0])); }
    else if (params.edges.length) { show(edges.get(params.edges[0])); }
    else { show(null); }
  });
  network.once("stabilized", function () {
    // Freeze the layout once placed so dragging one party does not move the rest.
    network.setOptions({physics: {enabled: false}});
    fitWithMargin();
  });
  function fitWithMargin() {
    // fit() frames node centres; zoom out a little so labels at the edges stay readable
    network.fit();
    network.moveTo({scale: network.getScale() * 0.85});
  }
  if (!options.physics.enabled) { fitWithMargin(); }  // without physics nothing else fits the graph to the view
  network.once("afterDrawing", function () {
    window.ownergraphRenderMs = performance.now() - started;
    document.body.setAttribute("data-ready", "1");
  });
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<style>{{ vis_css }}</style>
<style>
  html, body { margin: 0; height: 100%; color: #212121;
               font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
  body { display: flex; flex-direction: column; }
  header { padding: 10px 16px 6px; border-bottom: 1px solid #e0e0e0; }
  header h1 { font-size: 20px; margin: 0 0 2px; overflow-wrap: anywhere; }
  header p { margin: 0; font-size: 13px; color: #616161; }
  main { flex: 1; display: flex; min-height: 0; }
  #mynetwork { flex: 1; min-width: 0; position: relative; background: #ffffff; }
  aside { width: 270px; border-left: 1px solid #e0e0e0; padding: 10px 12px;
          overflow-y: auto; font-size: 13px; background: #fafafa; }
  aside h2 { font-size: 14px; margin: 4px 0 6px; }
  #legend { list-style: none; margin: 0 0 12px; padding: 0; }
  #legend li { display: flex; align-items: center; gap: 8px; margin: 3px 0; }
  #legend svg { flex: none; }
  #details { white-space: pre-line; overflow-wrap: anywhere; color: #424242; }
  div.vis-tooltip { white-space: pre-line; max-width: 360px; overflow-wrap: anywhere;
                    font-family: inherit; font-size: 13px; }
</style>
</head>
<body>
<header>
  <h1>{{ title }}</h1>
  <p>{{ subtitle }}</p>
</header>
<main>
  <div id="mynetwork"></div>
  <aside>
    <h2>Legend</h2>
    <ul id="legend">
    {%- for item in legend %}
      <li>{{ item.icon }}<span>{{ item.text }}</span></li>
    {%- endfor %}
    </ul>
    <h2>Details</h2>
    <div id="details">Click a party or a line to see its details.</div>
  </aside>
</main>
{%- for script in scripts %}
<script>{{ script }}</script>
{%- endfor %}
</body>
</html>
"""


@cache
def _template() -> Template:
    return Environment(autoescape=True).from_string(_PAGE)


def _csp(scripts: list[str]) -> str:
    """Only these scripts may run and nothing may be fetched: data cannot add behaviour."""
    hashes = " ".join(f"'sha256-{_script_hash(s)}'" for s in scripts)
    return (
        "default-src 'none'; "
        f"script-src {hashes}; "
        "style-src 'unsafe-inline'; "  # vis-network styles its own elements
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _script_hash(script: str) -> str:
    # vis-network's half megabyte is hashed once per process, not per page.
    return _vis_js_hash() if script is _vis_js() else _sha256(script)


@cache
def _vis_js_hash() -> str:
    return _sha256(_vis_js())


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _pyvis_lib(name: str) -> str:
    return files("pyvis").joinpath("templates", "lib", "vis-9.1.2", name).read_text(encoding="utf-8")


@cache
def _vis_js() -> str:
    # A literal "</script" would end the inline element early; "<\\/" means the same in JS.
    return _pyvis_lib("vis-network.min.js").replace("</script", "<\\/script")


@cache
def _vis_css() -> str:
    return _pyvis_lib("vis-network.css").replace("</style", "<\\/style")
