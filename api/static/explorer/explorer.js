/* The ownergraph explorer: reads the view's state from the URL, asks the JSON routes, draws.
 *
 * Every name comes from registries and is untrusted: text only ever goes
 * through textContent (el() below), URLs are built with URLSearchParams and
 * encodeURIComponent, and the CSP admits no inline script or style.
 */
(function () {
  "use strict";

  var STYLE = JSON.parse(document.getElementById("explorer-style").textContent);
  var VIEW = document.body.getAttribute("data-view");
  var started = performance.now();

  // -- small helpers ---------------------------------------------------------

  function el(tag, attrs) {
    var node = document.createElement(tag);
    var key;
    attrs = attrs || {};
    for (key in attrs) {
      if (!Object.prototype.hasOwnProperty.call(attrs, key) || attrs[key] === null || attrs[key] === undefined) { continue; }
      if (key === "text") { node.textContent = String(attrs[key]); }
      else if (key === "className") { node.className = attrs[key]; }
      else if (key === "hidden") { node.hidden = Boolean(attrs[key]); }
      else { node.setAttribute(key, String(attrs[key])); }
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) { continue; }
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function query(params) {
    var search = new URLSearchParams();
    Object.keys(params).forEach(function (key) {
      var value = params[key];
      if (Array.isArray(value)) { value.forEach(function (v) { search.append(key, v); }); }
      else if (value !== null && value !== undefined && value !== "") { search.set(key, value); }
    });
    var text = search.toString();
    return text ? "?" + text : "";
  }

  function entityPath(id) { return "/entities/" + encodeURIComponent(id); }

  function entityUrl(id, extra) {
    return "/explorer/entity" + query(Object.assign({id: id}, extra || {}));
  }

  function getJSON(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          var error = new Error(body.detail || ("HTTP " + response.status));
          error.status = response.status;
          throw error;
        }
        return body;
      });
    });
  }

  function percent(fraction) {
    if (fraction === null || fraction === undefined) { return "?"; }
    return (Math.round(fraction * 10000) / 100).toString() + "%";
  }

  function percentPlain(fraction) { return (Math.round(fraction * 10000) / 100).toString(); }

  /* The share as the page prints it (graph/render.py share_label). */
  function shareLabel(e) {
    var prefix = e.share_derived ? "≈" : "";
    if (e.share !== null && e.share !== undefined) { return prefix + percentPlain(e.share) + "%"; }
    var low = e.share_min, high = e.share_max;
    var hasLow = low !== null && low !== undefined, hasHigh = high !== null && high !== undefined;
    if (hasLow && hasHigh) { return prefix + percentPlain(low) + "–" + percentPlain(high) + "%"; }
    if (hasLow) { return prefix + "≥" + percentPlain(low) + "%"; }
    if (hasHigh) { return prefix + "≤" + percentPlain(high) + "%"; }
    return "?";
  }

  function shareInfoLabel(info) {
    if (!info) { return "?"; }
    return shareLabel({share: info.exact, share_min: info.minimum, share_max: info.maximum, share_derived: info.derived});
  }

  var STATUS_TEXT = {controlled: "Controlled", no_controller: "No controller", undetermined: "Undetermined"};

  function badge(status) {
    if (!status) { return el("span", {className: "badge badge-none", text: "no stored answer"}); }
    return el("span", {className: "badge badge-" + status.replace(/[^a-z_]/g, ""), text: STATUS_TEXT[status] || status});
  }

  function kindLabel(kind) {
    var style = STYLE.kinds[kind];
    return style ? style.label : kind;
  }

  function todayIso() {
    var d = new Date();
    var month = String(d.getMonth() + 1).padStart(2, "0"), day = String(d.getDate()).padStart(2, "0");
    return d.getFullYear() + "-" + month + "-" + day;
  }

  function fillForm(form, params) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (input.name && params.has(input.name) && input.type !== "hidden") { input.value = params.get(input.name); }
    });
  }

  /* The view is interactive: drawn, listed, clickable (performance.now() counts from the navigation). */
  function markReady() {
    window.explorerReadyMs = performance.now() - started;
    window.explorerInteractiveMs = performance.now();
    document.body.setAttribute("data-ready", "1");
  }

  // -- home: search ----------------------------------------------------------

  function startHome() {
    var input = document.querySelector("[data-testid=search-input]");
    var form = input.form;
    var list = document.getElementById("results");
    var status = document.getElementById("search-status");
    var moreButton = document.getElementById("results-more");
    var timer = null, asked = 0, nextCursor = null, currentQuery = "";

    function resultItem(r) {
      var names = el("a", {href: entityUrl(r.id), className: "result-name"}, el("span", {className: "name", text: r.name}));
      if (r.name_en && r.name_en !== r.name) { names.appendChild(el("span", {className: "name-en", text: r.name_en})); }
      var facts = el("span", {className: "facts"},
        el("span", {text: kindLabel(r.kind)}),
        r.jurisdiction ? el("span", {text: r.jurisdiction}) : null,
        el("span", {text: r.founded ? "founded " + r.founded : "founding date unknown"}),
        el("span", {className: "id", text: r.id}));
      return el("li", {"data-testid": "search-result", "data-entity-id": r.id}, names, facts, badge(r.control_status));
    }

    function run(text, cursor) {
      var mine = ++asked;
      currentQuery = text;
      if (!text.trim()) {
        clear(list); status.textContent = ""; moreButton.hidden = true; return Promise.resolve();
      }
      status.textContent = "Searching…";
      return getJSON("/explorer/search.json" + query({q: text, limit: 20, cursor: cursor})).then(function (body) {
        if (mine !== asked) { return; }
        if (!cursor) { clear(list); }
        body.results.forEach(function (r) { list.appendChild(resultItem(r)); });
        nextCursor = body.next_cursor;
        moreButton.hidden = !nextCursor;
        var shown = list.children.length;
        status.textContent = shown ? shown + (nextCursor ? "+" : "") + " found for “" + text + "”" : "Nothing found for “" + text + "”";
      }).catch(function (error) {
        if (mine === asked) { status.textContent = "Search failed: " + error.message; }
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        history.replaceState(null, "", "/" + query({q: input.value}));
        run(input.value);
      }, 200);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearTimeout(timer);
      history.replaceState(null, "", "/" + query({q: input.value}));
      run(input.value);
    });
    moreButton.addEventListener("click", function () { run(currentQuery, nextCursor); });
    var initial = new URLSearchParams(location.search).get("q");
    (initial ? run(initial) : Promise.resolve()).then(markReady);
  }

  // -- entity view -----------------------------------------------------------

  var DEFAULTS = {direction: "up", depth: "3", ruleset: "majority", threshold: "0.5", relative_threshold: "0.3"};
  var MAX_ACTIONS = 50;
  var MORE_PAGE = 50;

  function entityState() {
    var p = new URLSearchParams(location.search);
    var state = {id: p.get("id")};
    Object.keys(DEFAULTS).forEach(function (key) { state[key] = p.get(key) || DEFAULTS[key]; });
    state.as_of = p.get("as_of") || "";
    state.x = p.getAll("x").slice(0, MAX_ACTIONS);  // expansions, in order: "e:<id>", "u:<id>", "d:<id>"
    state.cf = p.get("cf") || "";
    state.ct = p.get("ct") || "";
    state.sel = p.get("sel") || "";
    return state;
  }

  function stateUrl(state) {
    var params = {id: state.id, x: state.x, cf: state.cf, ct: state.ct, sel: state.sel, as_of: state.as_of};
    Object.keys(DEFAULTS).forEach(function (key) { if (state[key] !== DEFAULTS[key]) { params[key] = state[key]; } });
    return "/explorer/entity" + query(params);
  }

  function controlParams(state) {
    return {as_of: state.as_of, ruleset: state.ruleset, threshold: state.threshold,
            relative_threshold: state.relative_threshold};
  }

  function Graph(container) {
    this.items = {};  // id -> graph.json node, with its level in this drawing
    this.edgeKeys = {};
    this.nodes = new vis.DataSet();
    this.edges = new vis.DataSet();
    this.network = null;
    this.container = container;
    this.edgeCount = 0;
    this.edgeData = {};  // vis edge id -> graph.json edge
  }

  Graph.prototype.nodeOptions = function (n) {
    var kind = STYLE.kinds[n.kind] || STYLE.kinds.other;
    var fill = kind.fill, border = kind.border, width = n.isCenter ? 3 : 1.5;
    if (n.is_controller) { fill = STYLE.colours.controller; border = STYLE.colours.chain; width = 5; }
    var label = truncate(n.name);
    if (n.kind === "more") { label = moreLabel(n); }
    else if (n.name_en && n.name_en !== n.name) { label += "\n" + truncate(n.name_en); }
    var options = {
      id: n.id, label: label, title: nodeTitle(n), shape: kind.shape, level: n.drawLevel,
      borderWidth: width, borderWidthSelected: width + 1,
      color: {background: fill, border: border, highlight: {background: fill, border: "#000000"},
              hover: {background: fill, border: "#000000"}},
      shapeProperties: {borderDashes: kind.dashed ? [5, 4] : false, borderRadius: kind.rounded ? 14 : 3}
    };
    if (STYLE.labelBelow.indexOf(kind.shape) >= 0) { options.size = n.kind === "state_body" ? 20 : 16; }
    if (n.kind === "more") { options.font = {color: "#616161"}; }
    if (n.isCenter) { options.font = {size: 16}; }
    return options;
  };

  function truncate(text) {
    text = String(text);
    return text.length <= STYLE.labelMax ? text : text.slice(0, STYLE.labelMax - 1) + "…";
  }

  function moreSide(n) { return /::more-up\+*$/.test(n.id) ? "up" : "down"; }

  function moreLabel(n) {
    return "+" + n.collapsed_count + " " + (moreSide(n) === "up" ? "more owners" : "more holdings");
  }

  function nodeTitle(n) {
    if (n.kind === "more") { return moreLabel(n) + " (node budget reached): expand to show them page by page"; }
    var lines = [n.name];
    if (n.name_en) { lines.push("English name: " + n.name_en); }
    lines.push("Kind: " + kindLabel(n.kind) + (n.jurisdiction ? " · Jurisdiction: " + n.jurisdiction : ""));
    lines.push("Founded: " + (n.founded || "unknown"));
    if (n.dissolved) { lines.push("Dissolved: " + n.dissolved); }
    if (n.status) { lines.push("Status: " + n.status); }
    lines.push("ID: " + n.id);
    if (n.isCenter) { lines.push("The entity looked at"); }
    if (n.is_controller) { lines.push("Ultimate controller"); }
    return lines.join("\n");
  }

  function relationText(e) {
    if (e.relation === "OWNS") {
      var text = "Owns " + shareLabel(e);
      if (e.share_raw) { text += " (as stated: " + e.share_raw + ")"; }
      if (e.share_derived) { text += ", derived from subscribed capital"; }
      return text;
    }
    if (e.relation === "CONTROLS") { return "Controls (basis: " + (STYLE.basis[e.basis] || e.basis || "not stated") + ")"; }
    if (e.relation === "ACTS_IN_CONCERT") { return "Act in concert" + (e.scope_id ? " for " + e.scope_id : ""); }
    return "Link: " + e.relation;
  }

  Graph.prototype.edgeTitle = function (e) {
    if (e.relation === "COLLAPSED") { return "More relations, not shown (node budget reached)"; }
    var arrow = e.relation === "ACTS_IN_CONCERT" ? "↔" : "→";
    var lines = [this.name(e.source) + " " + arrow + " " + this.name(e.target), relationText(e),
                 "Valid: " + (e.start || "since ever") + " to " + (e.end || "open")];
    if (e.provenance) { lines.push("Source: " + e.provenance); }
    if (e.detail) { lines.push("Detail: " + e.detail); }
    if (e.on_control_chain) { lines.push("On the chain of control"); }
    return lines.join("\n");
  };

  Graph.prototype.name = function (id) { return this.items[id] ? this.items[id].name : id; };

  Graph.prototype.edgeOptions = function (e, id) {
    var c = STYLE.colours, colour, dashes = false, label = "", width = 1;
    if (e.relation === "OWNS") {
      colour = c.owns; label = shareLabel(e);
      var weight = e.share !== null && e.share !== undefined ? e.share
        : ([e.share_min, e.share_max].filter(function (v) { return v !== null && v !== undefined; })
            .reduce(function (a, b, _, all) { return a + b / all.length; }, 0));
      width = 1 + 6 * weight;
    } else if (e.relation === "CONTROLS") {
      colour = c.controls; dashes = [8, 4]; label = STYLE.basis[e.basis] || e.basis || "control"; width = 2.5;
    } else if (e.relation === "ACTS_IN_CONCERT") {
      colour = c.concert; dashes = [2, 4]; width = 2;
    } else if (e.relation === "COLLAPSED") {
      colour = c.link; dashes = [2, 3];
    } else {
      colour = c.link; dashes = [6, 6]; label = e.relation;
    }
    if (e.on_control_chain) { colour = c.chain; width += 3; }
    var options = {id: id, from: e.source, to: e.target, label: label, title: this.edgeTitle(e), width: width,
                   dashes: dashes, color: {color: colour, highlight: colour, hover: colour}};
    if (e.relation === "ACTS_IN_CONCERT") { options.arrows = {to: {enabled: false}}; }
    return options;
  };

  /* Merge a graph.json answer (or a page of neighbours) drawn around ``anchor`` (its level in this drawing). */
  Graph.prototype.merge = function (body, anchorLevel) {
    var self = this, addedNodes = [], addedEdges = [];
    body.nodes.forEach(function (n) {
      var existing = self.items[n.id];
      if (existing) { return; }
      var item = Object.assign({}, n);
      item.drawLevel = anchorLevel + (n.level || 0);
      self.items[n.id] = item;
      addedNodes.push(item);
    });
    body.edges.forEach(function (e) {
      var key = [e.source, e.target, e.relation, e.start || "", e.provenance || ""].join("\u0000");
      if (self.edgeKeys[key]) { return; }
      self.edgeKeys[key] = e;
      addedEdges.push(self.edgeOptions(e, "e" + (self.edgeCount++)));
      self.edgeData[addedEdges[addedEdges.length - 1].id] = e;
    });
    this.nodes.add(addedNodes.map(function (n) { return self.nodeOptions(n); }));
    this.edges.add(addedEdges);
    return addedNodes;
  };

  Graph.prototype.removeNode = function (id) {
    var self = this;
    delete this.items[id];
    this.nodes.remove(id);
    var gone = this.edges.get({filter: function (e) { return e.from === id || e.to === id; }});
    gone.forEach(function (e) { delete self.edgeData[e.id]; });
    this.edges.remove(gone.map(function (e) { return e.id; }));
  };

  Graph.prototype.draw = function () {
    var physics = this.nodes.length <= STYLE.physicsNodeLimit;
    var options = JSON.parse(JSON.stringify(physics ? STYLE.options.physics : STYLE.options.static));
    options.interaction.navigationButtons = false;
    if (!this.network) {
      this.network = new vis.Network(this.container, {nodes: this.nodes, edges: this.edges}, options);
      window.explorerNetwork = this.network;  // for tests and the console
    } else {
      this.network.setOptions(options);
    }
    var network = this.network;
    var centerId = Object.keys(this.items).filter(function (id) { return this.items[id].isCenter; }, this)[0];
    if (physics) {
      network.once("stabilized", function () { network.setOptions({physics: {enabled: false}}); fit(network, centerId); });
    } else {
      fit(network, centerId);
    }
  };

  var PHONE_MIN_SCALE = 0.6;  // below this, labels cannot be read on a phone

  function fit(network, centerId) {
    network.fit();
    network.moveTo({scale: network.getScale() * 0.85});
    // On a narrow screen a whole graph would be drawn too small to read: centre on the entity instead
    // (pinch or drag to see the rest; the list below names every party).
    if (network.body.container.clientWidth < 600 && network.getScale() < PHONE_MIN_SCALE && centerId) {
      network.moveTo({position: network.getPositions([centerId])[centerId], scale: PHONE_MIN_SCALE});
    }
  }

  function startEntity() {
    var state = entityState();
    var form = document.getElementById("controls");
    fillForm(form, new URLSearchParams(location.search));
    form.elements.direction.value = state.direction;
    var actions = el("span");
    state.x.forEach(function (x) { actions.appendChild(el("input", {type: "hidden", name: "x", value: x})); });
    form.appendChild(actions);
    Array.prototype.forEach.call(form.querySelectorAll("select, input[type=date]"), function (input) {
      input.addEventListener("change", function () { form.requestSubmit(); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var next = Object.assign({}, state);
      Object.keys(DEFAULTS).forEach(function (key) { next[key] = form.elements[key].value || DEFAULTS[key]; });
      next.as_of = form.elements.as_of.value;
      location.assign(stateUrl(next));
    });
    window.addEventListener("popstate", function () { location.reload(); });

    var graph = new Graph(document.getElementById("graph"));
    var view = new EntityView(state, graph);
    view.load().then(markReady, function (error) {
      document.getElementById("graph-note").textContent = "Could not load the graph: " + error.message;
      markReady();
    });
  }

  function EntityView(state, graph) {
    this.state = state;
    this.graph = graph;
    this.names = {};
    this.moreCursor = {};
  }

  EntityView.prototype.load = function () {
    var self = this, state = this.state, graph = this.graph;
    this.renderLinks();
    var graphUrl = entityPath(state.id) + "/graph.json" + query({as_of: state.as_of, direction: state.direction, depth: state.depth});
    var fetched = getJSON(graphUrl);
    // The answer is asked once the graph has come: on a busy server the drawing comes first, and
    // the graph names the parties of the chains.
    var settled = fetched.then(function () { return null; }, function () { return null; });
    var answer = settled.then(function () { return self.loadAnswer(controlParams(state)); });
    Promise.all([answer, settled.then(function () { return self.loadControlled(null); })]).then(function () {
      document.body.setAttribute("data-answered", "1");
    });
    return fetched.then(function (body) {
      body.nodes.forEach(function (n) { if (n.id === state.id) { n.isCenter = true; } });
      graph.merge(body, 0);
      return self.replay(state.x.slice());
    }).then(function () {
      graph.draw();
      self.bindGraph();
      self.renderParties();
      self.renderLegend();
      self.note();
      if (state.sel && graph.items[state.sel]) { self.select(state.sel, false); }
    });
  };

  EntityView.prototype.replay = function (actions) {
    var self = this;
    if (!actions.length) { return Promise.resolve(); }
    var action = actions.shift();
    return this.apply(action).catch(function () { return null; }).then(function () { return self.replay(actions); });
  };

  EntityView.prototype.apply = function (action) {
    var kind = action.slice(0, 2), id = action.slice(2);
    if (kind === "e:") { return this.fetchExpand(id); }
    if (kind === "u:" || kind === "d:") { return this.fetchMore(id, kind === "u:" ? "up" : "down"); }
    return Promise.resolve();
  };

  /* Expand a party: its owners and holdings (graph.json, both directions) merged into the drawing. */
  EntityView.prototype.fetchExpand = function (id) {
    var graph = this.graph, state = this.state;
    var anchor = graph.items[id] ? graph.items[id].drawLevel : 0;
    var url = entityPath(id) + "/graph.json" + query({as_of: state.as_of, direction: "both", depth: state.depth});
    return getJSON(url).then(function (body) {
      // Only the center's controllers are marked: an expansion's own marks would mislead.
      body.nodes.forEach(function (n) { n.is_controller = false; });
      body.edges.forEach(function (e) { e.on_control_chain = false; });
      return graph.merge(body, anchor);
    });
  };

  /* One more page of a "+N more" group: the parent's next neighbours on that side. */
  EntityView.prototype.fetchMore = function (parent, side) {
    var self = this, graph = this.graph, state = this.state;
    var key = side + ":" + parent;
    var cursor = this.moreCursor[key];
    if (cursor === null) { return Promise.resolve([]); }
    var url = "/explorer/neighbours.json" + query({id: parent, side: side, as_of: state.as_of, limit: MORE_PAGE, cursor: cursor});
    return getJSON(url).then(function (body) {
      self.moreCursor[key] = body.next_cursor;
      var anchor = graph.items[parent] ? graph.items[parent].drawLevel : 0;
      var sign = side === "up" ? -1 : 1;
      body.nodes.forEach(function (n) { n.level = sign; });
      var added = graph.merge(body, anchor);
      var shownOnSide = graph.edges.get({filter: function (e) {
        var data = graph.edgeData[e.id];
        return data && data.relation === "OWNS" && (side === "up" ? data.target === parent : data.source === parent);
      }}).length;
      var remaining = body.next_cursor ? Math.max(body.total - shownOnSide, 0) : 0;
      var moreNode = Object.keys(graph.items).map(function (i) { return graph.items[i]; }).filter(function (n) {
        return n.kind === "more" && n.collapsed_parent === parent && moreSide(n) === side;
      })[0];
      if (moreNode && remaining > 0) {
        moreNode.collapsed_count = remaining;
        graph.nodes.update(graph.nodeOptions(moreNode));
      } else if (moreNode) {
        graph.removeNode(moreNode.id);
      }
      return added;
    });
  };

  EntityView.prototype.act = function (action) {
    var self = this;
    this.state.x.push(action);
    history.pushState(null, "", stateUrl(this.state));
    document.getElementById("graph-note").textContent = "Loading…";
    return this.apply(action).then(function () {
      self.graph.draw();
      self.renderParties();
      self.renderLegend();
      self.note();
    }, function (error) {
      document.getElementById("graph-note").textContent = "Could not expand: " + error.message;
    });
  };

  EntityView.prototype.expand = function (id) {
    var item = this.graph.items[id];
    if (item && item.kind === "more") {
      return this.act((moreSide(item) === "up" ? "u:" : "d:") + item.collapsed_parent);
    }
    return this.act("e:" + id);
  };

  EntityView.prototype.note = function () {
    var count = 0, more = 0, items = this.graph.items;
    Object.keys(items).forEach(function (id) { if (items[id].kind === "more") { more++; } else { count++; } });
    var side = {up: "owners", down: "holdings", both: "owners and holdings"}[this.state.direction];
    var text = count + " parties · " + side + " up to " + this.state.depth + " levels · as of " + (this.state.as_of || "today");
    if (more) { text += " · " + more + " folded groups (expand them page by page)"; }
    document.getElementById("graph-note").textContent = text;
  };

  EntityView.prototype.bindGraph = function () {
    var self = this, network = this.graph.network;
    if (this.bound) { return; }
    this.bound = true;
    network.on("click", function (params) {
      if (params.nodes.length) { self.select(params.nodes[0], true); }
      else if (params.edges.length) { self.selectEdge(params.edges[0]); }
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length) { self.expand(params.nodes[0]); }
    });
  };

  EntityView.prototype.select = function (id, remember) {
    var item = this.graph.items[id];
    if (!item) { return; }
    var details = document.getElementById("details");
    clear(details);
    details.appendChild(el("p", {className: "pre", text: nodeTitle(item)}));
    var actions = el("p", {className: "actions"});
    if (item.kind !== "more") {
      actions.appendChild(el("a", {href: entityUrl(id, {direction: this.state.direction, as_of: this.state.as_of}), className: "button", text: "Open as the centre"}));
    }
    var expandButton = el("button", {type: "button", text: item.kind === "more" ? "Show the next page" : "Expand"});
    var self = this;
    expandButton.addEventListener("click", function () { self.expand(id); });
    actions.appendChild(expandButton);
    details.appendChild(actions);
    if (this.graph.network) { this.graph.network.selectNodes([id]); }
    if (remember) {
      this.state.sel = id;
      history.replaceState(null, "", stateUrl(this.state));
    }
  };

  EntityView.prototype.selectEdge = function (edgeId) {
    var data = this.graph.edgeData[edgeId];
    if (!data) { return; }
    var details = document.getElementById("details");
    clear(details);
    details.appendChild(el("p", {className: "pre", text: this.graph.edgeTitle(data)}));
  };

  EntityView.prototype.renderParties = function () {
    var self = this, list = document.getElementById("parties"), items = this.graph.items;
    clear(list);
    var ordered = Object.keys(items).map(function (id) { return items[id]; });
    ordered.sort(function (a, b) { return (a.drawLevel - b.drawLevel) || (a.kind === "more") - (b.kind === "more"); });
    ordered.forEach(function (n) {
      if (n.kind === "more") {
        var show = el("button", {type: "button", "data-testid": "show-more", text: "Show " + Math.min(MORE_PAGE, n.collapsed_count) + " more"});
        show.addEventListener("click", function () { self.expand(n.id); });
        list.appendChild(el("li", {className: "more-item", "data-testid": "more-item", "data-parent-id": n.collapsed_parent},
          el("span", {text: moreLabel(n) + " of " + self.graph.name(n.collapsed_parent)}), show));
        return;
      }
      var select = el("button", {type: "button", className: "party-name", "aria-label": "Details of " + n.name},
        el("span", {className: "name", text: n.name}),
        n.name_en && n.name_en !== n.name ? el("span", {className: "name-en", text: n.name_en}) : null);
      select.addEventListener("click", function () { self.select(n.id, true); });
      var expand = el("button", {type: "button", "data-testid": "expand", text: "Expand", "aria-label": "Expand " + n.name});
      expand.addEventListener("click", function () { self.expand(n.id); });
      var open = el("a", {"data-testid": "open", href: entityUrl(n.id, {direction: self.state.direction, as_of: self.state.as_of}),
                          text: "Open", "aria-label": "Open " + n.name});
      var facts = el("span", {className: "facts"}, el("span", {text: kindLabel(n.kind)}),
        n.founded ? el("span", {text: "founded " + n.founded}) : null,
        n.isCenter ? el("span", {className: "tag", text: "centre"}) : null,
        n.is_controller ? el("span", {className: "tag tag-controller", text: "ultimate controller"}) : null);
      list.appendChild(el("li", {"data-testid": "node-item", "data-entity-id": n.id, className: n.isCenter ? "center" : null},
        select, facts, el("span", {className: "buttons"}, expand, open)));
    });
  };

  EntityView.prototype.renderLegend = function () {
    var legend = document.getElementById("legend"), items = this.graph.items, edges = this.graph.edgeData;
    clear(legend);
    var kinds = {}, relations = {}, controller = false, chain = false;
    Object.keys(items).forEach(function (id) { kinds[STYLE.kinds[items[id].kind] ? items[id].kind : "other"] = true; controller = controller || items[id].is_controller; });
    Object.keys(edges).forEach(function (id) { relations[edges[id].relation] = true; chain = chain || edges[id].on_control_chain; });
    Object.keys(STYLE.kinds).forEach(function (k) {
      if (!kinds[k]) { return; }
      var s = STYLE.kinds[k];
      legend.appendChild(el("li", null, swatch(s.fill, s.border, s.dashed, s.shape, s.rounded), el("span", {text: s.label})));
    });
    var c = STYLE.colours;
    legend.appendChild(el("li", null, line(c.owns, false, 4), el("span", {text: "Owns (width by share; ≈ derived, ? unknown)"})));
    if (relations.CONTROLS) { legend.appendChild(el("li", null, line(c.controls, true, 2.5), el("span", {text: "Controls (basis on the line)"}))); }
    if (relations.ACTS_IN_CONCERT) { legend.appendChild(el("li", null, line(c.concert, true, 2), el("span", {text: "Act in concert"}))); }
    if (controller) { legend.appendChild(el("li", null, swatch(c.controller, c.chain, false, "box", false, 4), el("span", {text: "Ultimate controller"}))); }
    if (chain) { legend.appendChild(el("li", null, line(c.chain, false, 5), el("span", {text: "Chain of control"}))); }
  };

  function swatch(fill, border, dashed, shape, rounded, width) {
    var node = el("span", {className: "swatch swatch-" + (rounded ? "pill" : shape), "aria-hidden": "true"});
    node.style.background = fill;  // CSSOM, which a style-src CSP allows (unlike style attributes)
    node.style.borderColor = border;
    node.style.borderStyle = dashed ? "dashed" : "solid";
    node.style.borderWidth = (width || 1.5) + "px";
    return node;
  }

  function line(colour, dashed, width) {
    var node = el("span", {className: "line-swatch", "aria-hidden": "true"});
    node.style.borderTopColor = colour;
    node.style.borderTopStyle = dashed ? "dashed" : "solid";
    node.style.borderTopWidth = width + "px";
    return node;
  }

  EntityView.prototype.renderLinks = function () {
    var state = this.state, params = controlParams(state);
    document.getElementById("link-answer").href = entityPath(state.id) + "/controllers" + query(params);
    var graphParams = query({as_of: state.as_of, direction: state.direction, depth: state.depth});
    document.getElementById("link-graph").href = entityPath(state.id) + "/graph.json" + graphParams;
    document.getElementById("link-page").href = entityPath(state.id) + "/graph.html" + graphParams;
    var self = this;
    document.getElementById("download-png").addEventListener("click", function () { self.downloadPng(); });
    document.getElementById("download-json").addEventListener("click", function () { self.downloadJson(); });
  };

  function download(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = el("a", {href: url, download: name});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function fileName(id, ext) { return "ownergraph-" + id.replace(/[^A-Za-z0-9_.-]+/g, "_").slice(0, 80) + "." + ext; }

  EntityView.prototype.downloadPng = function () {
    var canvas = document.querySelector("#graph canvas");
    if (!canvas) { return; }
    var out = document.createElement("canvas");
    out.width = canvas.width; out.height = canvas.height;
    var ctx = out.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(canvas, 0, 0);
    var id = this.state.id;
    out.toBlob(function (blob) { if (blob) { download(blob, fileName(id, "png")); } }, "image/png");
  };

  EntityView.prototype.snapshot = function () {
    var items = this.graph.items, edges = this.graph.edgeData;
    return {
      center: this.state.id, as_of: this.state.as_of || todayIso(), direction: this.state.direction,
      depth: Number(this.state.depth), expansions: this.state.x,
      nodes: Object.keys(items).map(function (id) {
        var n = Object.assign({}, items[id]); n.level = n.drawLevel; delete n.drawLevel; delete n.isCenter; return n;
      }),
      edges: Object.keys(edges).map(function (id) { return edges[id]; }),
      answer: this.answer || null
    };
  };

  EntityView.prototype.downloadJson = function () {
    var blob = new Blob([JSON.stringify(this.snapshot(), null, 2)], {type: "application/json"});
    download(blob, fileName(this.state.id, "json"));
  };

  // -- the answer panel --------------------------------------------------------

  EntityView.prototype.nameOf = function (id) {
    var item = this.graph.items[id];
    if (item) { return item.name_en && item.name_en !== item.name ? item.name + " (" + item.name_en + ")" : item.name; }
    return this.names[id] || id;
  };

  EntityView.prototype.loadAnswer = function (params) {
    var self = this, state = this.state;
    var data = document.getElementById("entity-data");
    var founded = data.getAttribute("data-founded"), dissolved = data.getAttribute("data-dissolved");
    var asOf = state.as_of || todayIso();
    var status = document.getElementById("status"), box = document.getElementById("answer");
    if (founded && asOf < founded) {
      status.textContent = "Did not exist yet on " + asOf + ": founded " + founded + ".";
      status.className = "status status-none";
      return Promise.resolve();
    }
    var base = entityPath(state.id);
    return Promise.all([
      getJSON(base + "/controllers" + query(params)),
      getJSON(base + "/beneficial-owners" + query({as_of: params.as_of, ruleset: params.ruleset,
        control_threshold: params.threshold, relative_threshold: params.relative_threshold}))
    ]).then(function (answers) {
      var ctrl = answers[0], beneficial = answers[1];
      self.answer = ctrl;
      [ctrl.ultimate_controllers, ctrl.possible_ultimate_controllers, ctrl.largest_holders, beneficial.beneficial_owners]
        .forEach(function (list) { list.forEach(function (x) { self.names[x.id] = x.name; }); });
      return self.fetchNames(ctrl).then(function () {
        self.renderAnswer(ctrl, beneficial, dissolved && dissolved <= asOf ? dissolved : null);
      });
    }).catch(function (error) {
      status.textContent = "Could not get the answer: " + error.message;
      clear(box);
    });
  };

  /* Names of the parties on the chains that neither the graph nor the answer named (a few lookups). */
  EntityView.prototype.fetchNames = function (ctrl) {
    var self = this, wanted = {};
    ctrl.ultimate_controllers.concat(ctrl.possible_ultimate_controllers).forEach(function (u) {
      u.chain.forEach(function (s) {
        [s.from_id, s.to_id].forEach(function (id) {
          if (!self.graph.items[id] && !self.names[id] && id.indexOf("concert:") !== 0) { wanted[id] = true; }
        });
      });
    });
    var ids = Object.keys(wanted).slice(0, 20);
    return Promise.all(ids.map(function (id) {
      return getJSON(entityPath(id) + query({as_of: self.state.as_of})).then(function (body) {
        self.names[id] = body.entity.name_en && body.entity.name_en !== body.entity.name
          ? body.entity.name + " (" + body.entity.name_en + ")" : body.entity.name;
      }, function () { return null; });
    }));
  };

  var RULE_TEXT = {
    majority: "holds the majority of the votes",
    relative: "holds the largest block of votes (relative ruleset)",
    controls_edge: "controls by a recorded control relation",
    concert: "controls together with the partners acting in concert"
  };

  EntityView.prototype.stepText = function (s) {
    var parts = [this.nameOf(s.from_id) + " → " + this.nameOf(s.to_id) + ": " + (RULE_TEXT[s.rule] || s.rule)];
    if (s.basis) { parts.push("basis: " + (STYLE.basis[s.basis] || s.basis)); }
    if (s.share) { parts.push("share " + shareInfoLabel(s.share)); }
    if (s.voting_share !== null && s.voting_share !== undefined) { parts.push("votes " + percent(s.voting_share)); }
    if (s.pooled_voting_share !== null && s.pooled_voting_share !== undefined && s.pooled_voting_share !== s.voting_share) {
      parts.push("votes pooled through controlled companies " + percent(s.pooled_voting_share));
    }
    if (s.start || s.end) { parts.push((s.start ? "since " + s.start : "") + (s.end ? " until " + s.end : "")); }
    if (s.source) { parts.push("source: " + s.source); }
    return parts.join(" · ");
  };

  EntityView.prototype.controllerBlock = function (u) {
    var self = this;
    var head = el("p", {className: "controller"},
      el("a", {href: entityUrl(u.id, {as_of: this.state.as_of}), text: this.nameOf(u.id)}),
      el("span", {className: "facts", text: " · " + kindLabel(u.kind) + " · " + (RULE_TEXT[u.basis] ? u.basis : (STYLE.basis[u.basis] || u.basis))
        + (u.group ? " · group " + u.group : "")}));
    var chain = el("ol", {className: "chain", "aria-label": "Chain of control from " + u.name});
    u.chain.forEach(function (s) {
      var item = el("li", {className: "step", text: self.stepText(s)});
      if (s.contributing && s.contributing.length > 1) {
        var pooled = el("ul", {className: "pooled"});
        s.contributing.forEach(function (c) {
          pooled.appendChild(el("li", {text: self.nameOf(c.owner_id) + " → " + self.nameOf(c.owned_id) + " " + shareInfoLabel(c.share)
            + " (votes " + percent(c.voting_share) + ")"}));
        });
        item.appendChild(pooled);
      }
      chain.appendChild(item);
    });
    return el("div", {className: "ultimate"}, head, chain);
  };

  EntityView.prototype.renderAnswer = function (ctrl, beneficial, dissolvedOn) {
    var self = this, status = document.getElementById("status"), box = document.getElementById("answer");
    clear(box);
    var sentence;
    if (ctrl.status === "controlled") {
      sentence = "Controlled by " + ctrl.ultimate_controllers.map(function (u) { return self.nameOf(u.id); }).join(" and ");
    } else if (ctrl.status === "undetermined") {
      sentence = "Undetermined: it depends on uncertain shares";
    } else {
      sentence = "No controller: no party holds control";
    }
    sentence += " (" + ctrl.ruleset + " ruleset, as of " + ctrl.as_of + ").";
    if (dissolvedOn) { sentence = "Dissolved on " + dissolvedOn + ". " + sentence; }
    status.className = "status status-" + ctrl.status;
    status.textContent = "";
    status.appendChild(badge(ctrl.status));
    status.appendChild(document.createTextNode(" " + sentence));

    if (ctrl.ultimate_controllers.length) {
      box.appendChild(el("h3", {text: "Ultimate controllers"}));
      ctrl.ultimate_controllers.forEach(function (u) { box.appendChild(self.controllerBlock(u)); });
    }
    var definite = {};
    ctrl.ultimate_controllers.forEach(function (u) { definite[u.id] = true; });
    var possible = ctrl.possible_ultimate_controllers.filter(function (u) { return !definite[u.id]; });
    if (possible.length) {
      box.appendChild(el("h3", {text: "Possible ultimate controllers (uncertain shares at their highest)"}));
      possible.forEach(function (u) { box.appendChild(self.controllerBlock(u)); });
    }
    if (ctrl.deciding_stakes.length) {
      box.appendChild(el("h3", {text: "Stakes the answer depends on"}));
      var deciding = el("ul", {className: "plain"});
      ctrl.deciding_stakes.forEach(function (s) {
        deciding.appendChild(el("li", {text: self.nameOf(s.owner_id) + " → " + self.nameOf(s.owned_id) + " " + shareInfoLabel(s.share)}));
      });
      box.appendChild(deciding);
    }
    if (ctrl.largest_holders.length) {
      box.appendChild(el("h3", {text: "Largest holders (integrated ownership)"}));
      var holders = el("ol", {className: "holders"});
      ctrl.largest_holders.slice(0, 10).forEach(function (h) {
        holders.appendChild(el("li", null, el("a", {href: entityUrl(h.id, {as_of: self.state.as_of}), text: self.nameOf(h.id)}),
          el("span", {className: "num", text: " " + percent(h.integrated_ownership)})));
      });
      box.appendChild(holders);
    }
    box.appendChild(el("h3", {text: "Beneficial owners (natural persons, " + percent(beneficial.threshold) + " or control)"}));
    if (beneficial.beneficial_owners.length) {
      var owners = el("ul", {className: "plain"});
      beneficial.beneficial_owners.forEach(function (b) {
        owners.appendChild(el("li", null, el("a", {href: entityUrl(b.id, {as_of: self.state.as_of}), text: self.nameOf(b.id)}),
          el("span", {className: "facts", text: " · " + percent(b.integrated_ownership) + " · " + b.reason})));
      });
      box.appendChild(owners);
    } else {
      box.appendChild(el("p", {className: "muted", text: "None known in the data."}));
    }
    var flags = ctrl.flags.concat(beneficial.flags);
    if (flags.length) {
      box.appendChild(el("h3", {text: "Data quality"}));
      var list = el("ul", {className: "plain flags"});
      flags.forEach(function (f) { list.appendChild(el("li", {text: f.message})); });
      box.appendChild(list);
    }
  };

  EntityView.prototype.loadControlled = function (cursor) {
    var self = this, state = this.state;
    var panel = document.getElementById("controlled-panel"), list = document.getElementById("controlled-list");
    var filter = document.getElementById("controlled-filter"), more = document.getElementById("controlled-more");
    if (!this.controlledBound) {
      this.controlledBound = true;
      filter.elements.cf.value = state.cf;
      filter.elements.ct.value = state.ct;
      filter.addEventListener("submit", function (event) {
        event.preventDefault();
        state.cf = filter.elements.cf.value;
        state.ct = filter.elements.ct.value;
        history.pushState(null, "", stateUrl(state));
        self.loadControlled(null);
      });
      more.addEventListener("click", function () { self.loadControlled(self.controlledCursor); });
    }
    var params = Object.assign(controlParams(state), {founded_from: state.cf, founded_to: state.ct, limit: 20, cursor: cursor});
    return getJSON(entityPath(state.id) + "/controlled" + query(params)).then(function (body) {
      if (!cursor) { clear(list); }
      var filtered = state.cf || state.ct;
      panel.hidden = body.total === 0 && !filtered;
      document.getElementById("controlled-count").textContent = body.total + " entities" + (filtered ? " founded in the window" : "") + ".";
      body.controlled.forEach(function (c) {
        list.appendChild(el("li", null, el("a", {href: entityUrl(c.id, {as_of: state.as_of}), text: c.name}),
          el("span", {className: "facts", text: " · " + kindLabel(c.kind) + (c.founded ? " · founded " + c.founded : "")
            + (c.definite ? "" : " · possible") + " · " + c.chain.length + " steps"})));
      });
      self.controlledCursor = body.next_cursor;
      more.hidden = !body.next_cursor;
    }).catch(function (error) {
      panel.hidden = false;
      document.getElementById("controlled-count").textContent = "Could not get what it controls: " + error.message;
    });
  };

  // -- clusters ----------------------------------------------------------------

  function partyItem(id, name, facts, asOf) {
    return el("li", {"data-testid": "node-item", "data-entity-id": id},
      el("a", {"data-testid": "open", href: entityUrl(id, {as_of: asOf}), text: name}),
      facts ? el("span", {className: "facts", text: " · " + facts}) : null);
  }

  function startClusters() {
    var form = document.getElementById("clusters-form");
    var p = new URLSearchParams(location.search);
    fillForm(form, p);
    var box = document.getElementById("clusters"), status = document.getElementById("clusters-status");
    var more = document.getElementById("clusters-more"), cursor = null;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var next = {from: form.elements.from.value, to: form.elements.to.value, as_of: form.elements.as_of.value,
                  ruleset: form.elements.ruleset.value, min_io: form.elements.min_io.value};
      if (next.ruleset === "majority") { delete next.ruleset; }
      if (next.min_io === "0.25") { delete next.min_io; }
      location.assign("/explorer/clusters" + query(next));
    });
    function load(page) {
      var asOf = p.get("as_of") || "";
      var params = {founded_from: form.elements.from.value, founded_to: form.elements.to.value, as_of: asOf,
                    ruleset: p.get("ruleset"), min_io: p.get("min_io"), limit: 20, cursor: page};
      status.textContent = "Looking for clusters…";
      return getJSON("/clusters" + query(params)).then(function (body) {
        if (!page) { clear(box); }
        status.textContent = body.total + (body.total === 1 ? " cluster" : " clusters") + " of companies founded from "
          + body.founded_from + " to " + body.founded_to + " (as of " + body.as_of + ").";
        body.clusters.forEach(function (c) {
          var owners = el("ul", {className: "parties owners", "aria-label": "Common owners"});
          var controller = c.controller;
          var ownerList = c.common_owners.length ? c.common_owners : [controller];
          ownerList.forEach(function (o) { owners.appendChild(partyItem(o.id, o.name, kindLabel(o.kind) + " · " + o.basis.replace(/_/g, " "), asOf)); });
          var members = el("ul", {className: "parties members", "aria-label": "Members"});
          c.members.forEach(function (m) {
            members.appendChild(partyItem(m.id, m.name, (m.founded ? "founded " + m.founded : "founding date unknown")
              + " · " + percent(m.integrated_ownership) + " held", asOf));
          });
          box.appendChild(el("section", {className: "cluster", "data-testid": "cluster", "data-controller-id": controller.id},
            el("h2", {text: c.members.length + " companies under " + controller.name}),
            el("h3", {text: "Common owners"}), owners, el("h3", {text: "Members"}), members));
        });
        cursor = body.next_cursor;
        more.hidden = !cursor;
      }).catch(function (error) { status.textContent = "Could not get the clusters: " + error.message; });
    }
    more.addEventListener("click", function () { load(cursor); });
    (form.elements.from.value && form.elements.to.value ? load(null) : Promise.resolve()).then(markReady);
  }

  // -- changes and watchlists -----------------------------------------------------

  function controllersText(state) {
    if (!state.status) { return "no answer"; }
    var ids = state.ultimate_controllers.map(function (c) { return c.id; });
    return (STATUS_TEXT[state.status] || state.status) + (ids.length ? " by " + ids.join(", ") : "");
  }

  function startChanges() {
    var form = document.getElementById("changes-form");
    var p = new URLSearchParams(location.search);
    fillForm(form, p);
    var select = document.getElementById("watchlist-select");
    var list = document.getElementById("changes"), status = document.getElementById("changes-status");
    var more = document.getElementById("changes-more"), cursor = null;
    var watchlist = p.get("watchlist") || "";
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      location.assign("/explorer/changes" + query({since: form.elements.since.value, controller: form.elements.controller.value,
                                                   watchlist: select.value}));
    });
    var lists = getJSON("/watchlists").then(function (body) {
      body.watchlists.forEach(function (w) {
        select.appendChild(el("option", {value: w.name, text: w.name + " (" + w.entity_ids.length + " watched)"}));
      });
      select.value = watchlist;
    }, function () { return null; });

    function load(page) {
      var url = watchlist
        ? "/watchlists/" + encodeURIComponent(watchlist) + "/alerts" + query({since: p.get("since"), limit: 50, cursor: page})
        : "/changes" + query({since: p.get("since"), controller: p.get("controller"), limit: 50, cursor: page});
      status.textContent = "Loading…";
      return getJSON(url).then(function (body) {
        if (!page) { clear(list); }
        var items = watchlist ? body.alerts : body.changes;
        items.forEach(function (c) {
          var name = c.entity.name || c.entity.id;
          var line = watchlist
            ? "now under " + c.watched + " (" + c.relation.replace(/_/g, " ")
              + (c.integrated_ownership !== null && c.integrated_ownership !== undefined ? ", " + percent(c.integrated_ownership) : "") + ")"
              + (c.new_entity ? " · new" : "")
            : controllersText(c.before) + " → " + controllersText(c.after) + " · " + c.ruleset + " · " + c.cause.kind;
          list.appendChild(el("li", {"data-testid": watchlist ? "alert" : "change", "data-entity-id": c.entity.id},
            el("span", {className: "when", text: c.effective}),
            el("a", {href: entityUrl(c.entity.id, {as_of: c.effective}), text: name}),
            el("span", {className: "facts", text: " · " + line})));
        });
        cursor = body.next_cursor;
        more.hidden = !cursor;
        status.textContent = list.children.length ? list.children.length + (cursor ? "+" : "") + (watchlist ? " alerts" : " changes")
          : (watchlist ? "No alerts." : "No changes recorded.");
      }).catch(function (error) { status.textContent = "Could not load: " + error.message; });
    }
    more.addEventListener("click", function () { load(cursor); });
    Promise.all([lists, load(null)]).then(markReady);
  }

  if (VIEW === "home") { startHome(); }
  else if (VIEW === "entity") { startEntity(); }
  else if (VIEW === "clusters") { startClusters(); }
  else if (VIEW === "changes") { startChanges(); }
  else { markReady(); }
})();
