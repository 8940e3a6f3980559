// The demo's Triggers panel: the flow in the text box saved and its trigger nodes activated, so
// that a `schedule` node starts it in this tab (kept in IndexedDB, each fire once across the
// page's tabs); the flow's active triggers with when each fires next, paused or not, and the
// latest fires of the one picked, each with its run and how it ended, or the range it skipped.
// The engine decides all of it (`conductor.triggers`); this draws what it answers, once a second
// while a trigger of the flow is active.

/** How many of a trigger's fires are shown. */
const SHOWN_FIRES = 10;

/** A time of day, to the second, in the page's zone. */
const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });

/**
 * Wires the panel: `ui` holds its elements (`activate`, `deactivate`, `status`, `list`, `fires`,
 * `firesOf`); `flow()` reads the flow in the text box (throws when it cannot be read); `h` makes
 * elements; `onFired()` is told when a fire's run ended (the history list shows it).
 */
export function setupTriggersPanel(conductor, ui, { flow, h, onFired }) {
  /** The flow whose triggers are shown, and the trigger whose fires are. */
  let flowId;
  let picked;
  let timer;
  /** What the fires list showed last, to tell the page when a run ended. */
  let ended = "";

  const show = (text, state = "idle") => {
    ui.status.textContent = text;
    ui.status.dataset.state = state;
  };
  const failed = (what, error) => {
    const code = error?.code ? `${error.code}: ` : "";
    show(`${what}: ${code}${error?.message ?? String(error)}`, "error");
  };

  async function activate() {
    let definition;
    try {
      definition = flow();
    } catch (error) {
      return failed("Could not read the flow", error);
    }
    try {
      await conductor.storage.saveFlow(definition);
      const active = await conductor.triggers.activate(definition.id);
      flowId = definition.id;
      picked = active[0]?.id;
      show(`Active: ${active.map((trigger) => `${trigger.nodeId} (${trigger.type})`).join(", ")}`, "active");
      await refresh();
    } catch (error) {
      failed("Not activated", error);
    }
  }

  async function deactivate() {
    if (!flowId) return;
    try {
      const { removed } = await conductor.triggers.deactivate(flowId);
      show(`Deactivated ${removed} trigger${removed === 1 ? "" : "s"} of ${flowId}; their fires stay listed.`);
      await refresh();
    } catch (error) {
      failed("Not deactivated", error);
    }
  }

  async function togglePause(trigger) {
    try {
      await (trigger.paused ? conductor.triggers.resume(trigger.id) : conductor.triggers.pause(trigger.id));
      await refresh();
    } catch (error) {
      failed(trigger.paused ? "Not resumed" : "Not paused", error);
    }
  }

  function triggerItem(trigger) {
    const toggle = h("button", { type: "button", textContent: trigger.paused ? "Resume" : "Pause" });
    toggle.addEventListener("click", () => void togglePause(trigger));
    const pick = h("button", { type: "button", textContent: "Fires", "aria-pressed": String(trigger.id === picked) });
    pick.addEventListener("click", () => {
      picked = trigger.id;
      void refresh();
    });
    const next = trigger.paused ? "paused" : trigger.next === null ? "no next fire" : `next ${clock(trigger.next)}`;
    return h(
      "li",
      { "data-id": trigger.id, "data-type": trigger.type, "data-paused": String(trigger.paused), "data-next": String(trigger.next ?? "") },
      h("code", { textContent: trigger.nodeId }),
      ` ${trigger.type} · ${next} `,
      toggle,
      pick,
    );
  }

  function fireItem(fire) {
    const attributes = { "data-scheduled": String(fire.scheduledAt), "data-status": fire.status, "data-execution": fire.executionId ?? "" };
    if (fire.skipped) {
      const { count, exact, reason, last } = fire.skipped;
      const range = count === 1 ? clock(fire.scheduledAt) : `${clock(fire.scheduledAt)}–${clock(last)}`;
      return h("li", attributes, `${range} · ${exact ? "" : "about "}${count} skipped (${reason})`);
    }
    const run = fire.executionId ? ` · ${fire.executionId.slice(0, 13)}…` : "";
    return h(
      "li",
      attributes,
      `${clock(fire.scheduledAt)} · `,
      h("span", { className: "state", "data-state": fire.status, textContent: fire.status }),
      run,
    );
  }

  async function refresh() {
    clearTimeout(timer);
    if (!flowId) return;
    let mine = [];
    try {
      mine = (await conductor.triggers.list()).filter((trigger) => trigger.flowId === flowId);
      ui.list.replaceChildren(...mine.map(triggerItem));
      if (!mine.some((trigger) => trigger.id === picked)) picked = mine[0]?.id ?? picked;
      if (picked) {
        const fires = await conductor.triggers.fires(picked, { limit: SHOWN_FIRES });
        ui.firesOf.textContent = `of ${picked}, newest first`;
        ui.fires.replaceChildren(...fires.map(fireItem));
        const ends = fires
          .filter((fire) => fire.status === "succeeded" || fire.status === "failed")
          .map((fire) => fire.executionId)
          .join();
        if (ends !== ended) {
          ended = ends;
          onFired();
        }
      }
    } catch (error) {
      failed("Could not read the triggers", error);
    }
    ui.deactivate.disabled = mine.length === 0;
    // Looked at again while the flow has an active trigger: its fires come from this tab's timer.
    if (mine.length > 0) timer = setTimeout(() => void refresh(), 1000);
  }

  ui.activate.addEventListener("click", () => void activate());
  ui.deactivate.addEventListener("click", () => void deactivate());
  ui.activate.disabled = false;
}
