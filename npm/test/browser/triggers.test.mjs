// Schedules in a real headless Chromium: two tabs of one origin, each with a conductor whose
// history (and so whose triggers) are kept in IndexedDB, fire one schedule: every fire time runs
// once across both. Webhooks and file watches are refused in the page with a coded error that
// says where they run. No test here judges speed: waits are for counts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromiumMissing } from "../../test-support/chromium.mjs";
import { inPage, useServedPage, whenModuleReady } from "../../test-support/browser-page.mjs";

const options = { skip: chromiumMissing, timeout: 180_000 };

const session = useServedPage("/test/browser/page.html", whenModuleReady);

/**
 * In a tab: a conductor with history whose flow runs a `mark` node after the schedule, which
 * notes the fire's time in `window.marked`; activating it starts this tab's trigger timer.
 */
async function activateInTab(mod) {
  window.marked = [];
  const factory = {
    getNodeExecutable(type) {
      if (type !== "mark") return undefined;
      return {
        execute: async ({ input }) => {
          const fire = input.default ?? Object.values(input)[0];
          window.marked.push(Date.parse(fire.scheduledAt));
          return { ok: true };
        },
      };
    },
  };
  window.tabConductor = mod.createConductor({ history: true, nodeExecutorFactory: factory });
  const flow = {
    id: "tabs",
    name: "Tabs",
    type: "group",
    nodes: [
      { id: "tick", type: "schedule", parameters: { every: "1s" } },
      { id: "mark", type: "mark", parameters: {} },
    ],
    edges: [{ id: "e", source: "tick", target: "mark" }],
  };
  await window.tabConductor.storage.saveFlow(flow);
  const [active] = await window.tabConductor.triggers.activate("tabs");
  return { id: active.id, type: active.type };
}

test("two tabs with history in IndexedDB fire one schedule: each fire time runs once across them", options, async (t) => {
  const second = await session.browser.context.newPage();
  t.after(() => second.close());
  await second.goto(session.page.url());
  await whenModuleReady(second);
  const tabs = [session.page, second];
  for (const tab of tabs) assert.deepEqual(await inPage(tab, activateInTab), { id: "tabs/tick", type: "schedule" });

  const succeeded = () =>
    inPage(session.page, async () =>
      (await window.tabConductor.triggers.fires("tabs/tick", { limit: 1000 })).filter((fire) => fire.status === "succeeded"),
    );
  const deadline = Date.now() + 150_000;
  while ((await succeeded()).length < 8) {
    assert.ok(Date.now() < deadline, "eight fires within the margin");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await inPage(session.page, () => window.tabConductor.triggers.deactivate("tabs"));
  // A run a tab started before the deactivation ends and is marked; then nothing more starts.
  await new Promise((resolve) => setTimeout(resolve, 1500));

  const marked = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.marked)));
  const all = marked.flat();
  assert.equal(new Set(all).size, all.length, `a fire ran in two tabs: ${JSON.stringify(marked)}`);
  const fires = await succeeded();
  const times = fires.map((fire) => fire.scheduledAt);
  for (const time of times) assert.ok(all.includes(time), `fire ${time} recorded as run, but no tab marked it`);
  const ids = fires.map((fire) => fire.executionId);
  assert.equal(new Set(ids).size, ids.length, "every fire has a run of its own");
  t.diagnostic(`fires run per tab: ${marked.map((m) => m.length).join(" + ")}`);
});

test(
  "in the page, webhooks and file watches are refused saying they run in Node; the default module has no triggers",
  options,
  async () => {
    const answers = await inPage(session.page, async (mod) => {
      const c = mod.createConductor({ history: true });
      const refused = {};
      for (const [type, parameters] of [
        ["webhook", { path: "orders", auth: "none" }],
        ["file-watch", { path: "./inbox" }],
      ]) {
        await c.storage.saveFlow({ id: `with-${type}`, type: "group", nodes: [{ id: "start", type, parameters }], edges: [] });
        try {
          await c.triggers.activate(`with-${type}`);
          refused[type] = "activated";
        } catch (error) {
          refused[type] = [error.code, error.message];
        }
      }
      const plain = mod.createConductor({});
      let none;
      try {
        await plain.triggers.list();
        none = "listed";
      } catch (error) {
        none = [error.code, error.message];
      }
      return { refused, none, listed: (await c.triggers.list()).map((trigger) => trigger.id) };
    });
    for (const type of ["webhook", "file-watch"]) {
      const [code, message] = answers.refused[type];
      assert.equal(code, "IMPLEMENTATION_NOT_FOUND", `${type}: ${message}`);
      assert.match(message, /needs Node\.js/);
      assert.match(message, new RegExp(`a ${type} trigger`));
    }
    assert.deepEqual(answers.listed, [], "nothing refused was activated");
    assert.equal(answers.none[0], "VALIDATION_FAILED");
    // The default module has no history, so no triggers: it says so, as for `executions.*`.
    assert.match(answers.none[1], /Execution history is not available in this build/);
  },
);
