// The demo's graph view: a flow definition drawn as columns of nodes by dependency level, with
// its edges as SVG curves, each node coloured by its state. Nested groups are drawn as a box
// holding their own children's columns. Layout is left to CSS (flex columns); the edges are drawn
// afterwards from where the nodes ended up, and again whenever the drawing changes size.
//
// Nodes are named by their *path*, as the engine's debugging options name them: a child of the
// flow's root group is its id, a node inside group `g` is `g/child`.

const SVG = "http://www.w3.org/2000/svg";

/** The states a node can show; anything else is shown as pending. */
export const STATES = ["pending", "executing", "completed", "error", "skipped", "pinned", "cached"];

// ----- model ----------------------------------------------------------------------------------

/**
 * Each node's level in its group: 0 without dependencies in the group, otherwise 1 + the highest
 * level among the nodes it depends on (as progress events count them). A cycle (which the engine
 * refuses anyway) is cut where it is found, so every node still gets a level.
 */
export function levels(ids, edges) {
  const sources = new Map(ids.map((id) => [id, []]));
  for (const edge of edges) sources.get(edge.target)?.push(edge.source);
  const level = new Map();
  const visiting = new Set();
  const visit = (id) => {
    if (level.has(id)) return level.get(id);
    if (visiting.has(id) || !sources.has(id)) return -1;
    visiting.add(id);
    const deps = sources.get(id).map(visit);
    visiting.delete(id);
    const value = deps.length === 0 ? 0 : Math.max(...deps) + 1;
    level.set(id, value);
    return value;
  };
  for (const id of ids) visit(id);
  return level;
}

/**
 * The drawing's model of a flow definition: `{nodes, edges, root}`, where `nodes` lists every node
 * below the root (`{path, id, name, type, level, depth, parent, group?}`), `edges` every edge of
 * every group (`{id, source, target}` as paths) and `root` the top group (`{path, nodes, edges}`).
 * A flow that is a single node (not a group) is drawn as that one node.
 */
export function graphModel(flow) {
  const model = { nodes: [], edges: [], root: undefined };
  const isGroup = Array.isArray(flow.nodes) && flow.nodes.length > 0;
  if (!isGroup) {
    const node = {
      path: String(flow.id),
      id: String(flow.id),
      name: flow.name ?? flow.id,
      type: flow.type,
      level: 0,
      depth: 0,
      parent: undefined,
    };
    model.nodes.push(node);
    model.root = { path: "", nodes: [node], edges: [] };
    return model;
  }
  model.root = groupModel(flow, "", 1, model);
  return model;
}

/** One group's children and edges (recursively), added to `model` as they are found. */
function groupModel(group, prefix, depth, model) {
  const children = (group.nodes ?? []).filter((child) => child && typeof child.id === "string");
  const ids = children.map((child) => child.id);
  const known = new Set(ids);
  // Edges whose ends are not both children of this group cannot be drawn (validation reports them).
  const edges = (group.edges ?? []).filter((edge) => known.has(edge?.source) && known.has(edge?.target));
  const level = levels(ids, edges);
  const nodes = children.map((child) => {
    const path = prefix + child.id;
    const node = {
      path,
      id: child.id,
      name: child.name ?? child.id,
      type: child.type,
      level: level.get(child.id) ?? 0,
      depth,
      parent: group.id,
    };
    model.nodes.push(node);
    if (Array.isArray(child.nodes) && child.nodes.length > 0) node.group = groupModel(child, `${path}/`, depth + 1, model);
    return node;
  });
  const drawn = edges.map((edge, index) => ({
    id: edge.id ?? `${prefix}edge-${index}`,
    source: prefix + edge.source,
    target: prefix + edge.target,
  }));
  model.edges.push(...drawn);
  return { path: prefix.replace(/\/$/, ""), nodes, edges: drawn };
}

// ----- view -----------------------------------------------------------------------------------

/**
 * The graph inside `container`. `onNodeClick(path)` is called when a node is clicked. Holds, per
 * node path, what the page marks on it: its state and the `data-*` flags the stylesheet draws
 * (`breakpoint`, `pinned`, `selected`, `paused`).
 */
export class GraphView {
  constructor(container, { onNodeClick }) {
    this.container = container;
    this.onNodeClick = onNodeClick;
    this.model = { nodes: [], edges: [], root: undefined };
    /** Node buttons by path. */
    this.elements = new Map();
    /** Paths by `depth, parent id, id`, the way progress events name a node. */
    this.progressKeys = new Map();
    this.resizes = new ResizeObserver(() => this.drawEdges());
  }

  /** Draws `flow`, every node pending; returns the model. */
  render(flow) {
    this.model = graphModel(flow);
    this.elements.clear();
    this.progressKeys.clear();
    this.content = el("div", { className: "graph-content" });
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.setAttribute("class", "graph-edges");
    this.svg.setAttribute("aria-hidden", "true");
    this.svg.append(arrowHead());
    this.content.append(this.svg, this.columns(this.model.root));
    this.container.replaceChildren(this.content);
    this.container.dataset.nodes = String(this.model.nodes.length);
    this.container.dataset.edges = String(this.model.edges.length);
    for (const node of this.model.nodes) this.progressKeys.set(progressKey(node.depth, node.parent, node.id), node.path);
    this.resizes.disconnect();
    this.resizes.observe(this.content);
    this.drawEdges();
    return this.model;
  }

  /** Shows a message instead of a drawing (a flow that cannot be read). */
  showMessage(text) {
    this.model = { nodes: [], edges: [], root: undefined };
    this.elements.clear();
    this.resizes.disconnect();
    delete this.container.dataset.nodes;
    delete this.container.dataset.edges;
    this.container.replaceChildren(el("p", { className: "placeholder", textContent: text }));
  }

  /** A group's children as columns, one per level. */
  columns(group) {
    const byLevel = [];
    for (const node of group.nodes) (byLevel[node.level] ??= []).push(node);
    const columns = el("div", { className: "graph-columns", "data-group": group.path });
    for (const [level, nodes] of byLevel.entries()) {
      if (!nodes) continue;
      columns.append(el("div", { className: "graph-column", "data-level": String(level) }, ...nodes.map((node) => this.nodeElement(node))));
    }
    return columns;
  }

  /** A node's button; a group's is the head of a box that holds its children. */
  nodeElement(node) {
    const button = el(
      "button",
      {
        type: "button",
        className: "graph-node",
        "data-node": node.path,
        "data-type": node.type ?? "",
        "data-level": String(node.level),
        "data-state": "pending",
        title: node.path,
      },
      el("span", { className: "graph-node-name", textContent: node.name }),
      // The path is what breakpoints and pauses name: shown when the name does not say it.
      node.name !== node.path ? el("span", { className: "graph-node-path", textContent: node.path }) : undefined,
      el(
        "span",
        { className: "graph-node-meta" },
        el("code", { textContent: node.type ?? "" }),
        el("span", { className: "state", "data-state": "pending", textContent: "pending" }),
      ),
    );
    button.addEventListener("click", () => this.onNodeClick(node.path));
    this.elements.set(node.path, button);
    this.describe(node.path);
    if (!node.group) return button;
    return el("div", { className: "graph-group", "data-group": node.path, "data-state": "pending" }, button, this.columns(node.group));
  }

  /** The path of a node as a progress event lists it (`{id, parentId, depth}`), if it is drawn. */
  pathOf(progressNode) {
    const exact = this.progressKeys.get(progressKey(progressNode.depth, progressNode.parentId, progressNode.id));
    if (exact) return exact;
    // A single-node flow's node has no parent; fall back to the first node with that id.
    return this.model.nodes.find((node) => node.id === progressNode.id)?.path;
  }

  /**
   * Sets a node's state (colour, label, and the edges leaving it). A `cached` node's progress
   * entry (`cacheKey`, `cacheAge`) says which cache entry served it and how old it was.
   */
  setState(path, state, progressNode) {
    const button = this.elements.get(path);
    if (!button) return;
    const shown = STATES.includes(state) ? state : "pending";
    button.dataset.state = shown;
    if (shown === "cached" && progressNode?.cacheKey) {
      const age = Math.round(progressNode.cacheAge ?? 0);
      button.dataset.cache = `entry ${progressNode.cacheKey.slice(0, 12)}…, ${age} ms old`;
      button.title = `${path}: served from the cache (${button.dataset.cache})`;
    } else {
      delete button.dataset.cache;
      button.title = path;
    }
    const chip = button.querySelector(".state");
    chip.dataset.state = shown;
    chip.textContent = shown;
    const group = button.parentElement?.classList.contains("graph-group") ? button.parentElement : undefined;
    if (group) group.dataset.state = shown;
    for (const edge of this.svg.querySelectorAll("path.graph-edge")) {
      if (edge.dataset.source === path) edge.dataset.state = shown;
    }
    this.describe(path);
  }

  /** Every node back to pending. */
  resetStates() {
    for (const path of this.elements.keys()) this.setState(path, "pending");
  }

  /** Sets or clears a `data-<flag>="true"` mark on one node. */
  mark(path, flag, on) {
    const button = this.elements.get(path);
    if (!button) return;
    if (on) button.dataset[flag] = "true";
    else delete button.dataset[flag];
    this.describe(path);
  }

  /** Clears a mark from every node. */
  clearMark(flag) {
    for (const path of this.elements.keys()) this.mark(path, flag, false);
  }

  /** The node's accessible name: what it is and everything marked on it. */
  describe(path) {
    const button = this.elements.get(path);
    const node = this.model.nodes.find((candidate) => candidate.path === path);
    if (!button || !node) return;
    const marks = ["breakpoint", "pinned", "paused"]
      .filter((flag) => button.dataset[flag] === "true")
      .map((flag) => (flag === "paused" ? "paused here" : flag));
    if (button.dataset.cache) marks.push(`cache ${button.dataset.cache}`);
    button.setAttribute("aria-label", [`${node.path} (${node.type ?? "node"}): ${button.dataset.state}`, ...marks].join(", "));
  }

  /** Draws every edge from the right side of its source to the left side of its target. */
  drawEdges() {
    if (!this.svg || !this.content.isConnected) return;
    for (const old of this.svg.querySelectorAll("path.graph-edge")) old.remove();
    const origin = this.content.getBoundingClientRect();
    for (const edge of this.model.edges) {
      const from = this.box(edge.source, origin);
      const to = this.box(edge.target, origin);
      if (!from || !to) continue;
      const [x1, y1, x2, y2] = [from.right, from.middle, to.left, to.middle];
      const bend = Math.max(24, Math.abs(x2 - x1) / 2);
      const path = document.createElementNS(SVG, "path");
      path.setAttribute("class", "graph-edge");
      path.setAttribute("d", `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`);
      path.setAttribute("marker-end", "url(#graph-arrow)");
      path.dataset.edge = edge.id;
      path.dataset.source = edge.source;
      path.dataset.target = edge.target;
      path.dataset.state = this.elements.get(edge.source)?.dataset.state ?? "pending";
      this.svg.append(path);
    }
  }

  /**
   * Where a node's edges attach, relative to `origin`: the sides of its box, at the height of its
   * button (for a group: the sides of the whole group, level with its head).
   */
  box(path, origin) {
    const button = this.elements.get(path);
    if (!button) return undefined;
    const group = button.parentElement?.classList.contains("graph-group") ? button.parentElement : undefined;
    const sides = (group ?? button).getBoundingClientRect();
    const head = button.getBoundingClientRect();
    return { left: sides.left - origin.left, right: sides.right - origin.left, middle: head.top - origin.top + head.height / 2 };
  }
}

const progressKey = (depth, parent, id) => `${depth}\u0000${parent ?? ""}\u0000${id}`;

/** An HTML element with properties, `data-*`/`aria-*` attributes and children (text never parsed as HTML). */
function el(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("data-") || key.startsWith("aria-") || key === "role") element.setAttribute(key, value);
    else element[key] = value;
  }
  element.append(...children.filter((child) => child !== undefined));
  return element;
}

/** The arrow head at the end of every edge. */
function arrowHead() {
  const defs = document.createElementNS(SVG, "defs");
  const marker = document.createElementNS(SVG, "marker");
  for (const [name, value] of Object.entries({
    id: "graph-arrow",
    viewBox: "0 0 10 10",
    refX: "9",
    refY: "5",
    markerWidth: "7",
    markerHeight: "7",
    orient: "auto-start-reverse",
  }))
    marker.setAttribute(name, value);
  const tip = document.createElementNS(SVG, "path");
  tip.setAttribute("d", "M 0 0 L 10 5 L 0 10 z");
  tip.setAttribute("class", "graph-arrow");
  marker.append(tip);
  defs.append(marker);
  return defs;
}
