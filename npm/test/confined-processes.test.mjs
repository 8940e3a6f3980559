// Processes a run starts, through the built package: on Linux a restricted run's programs are
// confined by the kernel to its grant, their limits end them with a coded error, nothing they
// start outlives the node, and a durable run resumed after its process was killed keeps the
// permissions it started with. Elsewhere a restricted run's programs are refused (fail closed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { repoRoot, tempDir, until } from "../test-support/helpers.mjs";

const linux = process.platform === "linux";

function tree(t) {
  const dir = tempDir(t, "confined");
  mkdirSync(join(dir, "root"));
  mkdirSync(join(dir, "outside"));
  writeFileSync(join(dir, "root", "inside.txt"), "inside");
  writeFileSync(join(dir, "outside", "secret.txt"), "secret");
  return dir;
}

const sh = (id, script, extra = {}) => ({ id, type: "shell-command", parameters: { program: "sh", args: ["-c", script], ...extra } });

test("a confined shell-command reads and writes under its roots only; the OS's refusal is PERMISSION_DENIED", {
  skip: !linux && "Landlock is Linux's",
}, async (t) => {
  const dir = tree(t);
  const conductor = createConductor({ storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  const permissions = { shell: true, files: { roots: [join(dir, "root")] } };
  const inside = await conductor.node.run(sh("cat", `cat '${join(dir, "root", "inside.txt")}'`), { permissions });
  assert.equal(inside.success, true, inside.error?.message);
  assert.equal(inside.data.stdout, "inside");
  const secret = await conductor.node.run(sh("cat", `cat '${join(dir, "outside", "secret.txt")}'`), { permissions });
  assert.equal(secret.success, false);
  assert.equal(secret.error.code, "PERMISSION_DENIED", secret.error.message);
  assert.match(secret.error.message, /refused outside the run's grant .*Permission denied/);
  assert.doesNotMatch(JSON.stringify(secret), /"secret"|secret"/, "nothing of the file was read");
  const write = await conductor.node.run(sh("w", `echo x > '${join(dir, "outside", "new.txt")}'`), { permissions });
  assert.equal(write.error?.code, "PERMISSION_DENIED", write.error?.message);
  assert.equal(existsSync(join(dir, "outside", "new.txt")), false);
  // The same run unrestricted reads it: the refusal was the grant's.
  const unrestricted = await conductor.node.run(sh("cat", `cat '${join(dir, "outside", "secret.txt")}'`));
  assert.equal(unrestricted.data.stdout, "secret");
});

test("a confined python node cannot open a file outside its roots", { skip: !linux && "Landlock is Linux's" }, async (t) => {
  const dir = tree(t);
  const conductor = createConductor({ storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  const permissions = { shell: true, files: { roots: [join(dir, "root")] } };
  const code = "def main(data):\n    return open(data).read()\n";
  const inside = await conductor.node.run(
    { id: "py", type: "python", parameters: { code, data: join(dir, "root", "inside.txt") } },
    { permissions },
  );
  assert.equal(inside.data, "inside", inside.error?.message);
  const outside = await conductor.node.run(
    { id: "py", type: "python", parameters: { code, data: join(dir, "outside", "secret.txt") } },
    { permissions },
  );
  assert.equal(outside.success, false);
  assert.match(outside.error.message, /PermissionError/);
  // The worker confined for that run is not the one an unrestricted run gets.
  const unrestricted = await conductor.node.run({
    id: "py",
    type: "python",
    parameters: { code, data: join(dir, "outside", "secret.txt") },
  });
  assert.equal(unrestricted.data, "secret", unrestricted.error?.message);
});

test("a fork bomb and a memory hog end at their limits with coded errors; the host goes on", {
  skip: !linux && "the supervisor is Linux's",
}, async (t) => {
  const conductor = createConductor({ storage: { type: "memory" }, processes: { maxProcesses: 48, memoryLimit: 128 * 1024 * 1024 } });
  t.after(() => conductor.shutdown());
  const bomb = await conductor.node.run(sh("bomb", "f() { sleep 3600 & f & wait; }; f", { timeout: 120000 }));
  assert.equal(bomb.error?.code, "MEMORY_LIMIT_EXCEEDED", bomb.error?.message);
  assert.match(bomb.error.message, /processes\.maxProcesses/);
  const hog = await conductor.node.run(
    sh("hog", `python3 -c "import time\nheld = []\nwhile True:\n    held.append(b'x' * 10_000_000)\n    time.sleep(0.01)"`, {
      timeout: 120000,
    }),
  );
  assert.equal(hog.error?.code, "MEMORY_LIMIT_EXCEEDED", hog.error?.message);
  assert.match(hog.error.message, /processes\.memoryLimit/);
  const after = await conductor.node.run(sh("echo", "echo alive"));
  assert.equal(after.data.stdout, "alive\n");
});

test("a restricted run's processes are refused where they cannot be confined: the WebAssembly engine", async (t) => {
  const dir = tree(t);
  const conductor = createConductor({ storage: { type: "memory" }, engine: "wasm" });
  t.after(() => conductor.shutdown());
  const refused = await conductor.node.run(sh("echo", "echo hi"), { permissions: { shell: true, files: { roots: [join(dir, "root")] } } });
  assert.equal(refused.error?.code, "PERMISSION_DENIED", refused.error?.message);
  assert.match(refused.error.message, /only the native engine can do/);
  const unrestricted = await conductor.node.run(sh("echo", "echo hi"), { permissions: { shell: true, files: true, http: true } });
  assert.equal(unrestricted.data.stdout, "hi\n", unrestricted.error?.message);
});

test("the WebAssembly engine runs a restricted run's processes unconfined when the config allows it", async (t) => {
  const dir = tree(t);
  const conductor = createConductor({ storage: { type: "memory" }, engine: "wasm", processes: { allowUnconfined: true } });
  t.after(() => conductor.shutdown());
  const ran = await conductor.node.run(sh("echo", "echo hi"), { permissions: { shell: true, files: { roots: [join(dir, "root")] } } });
  assert.equal(ran.data?.stdout, "hi\n", ran.error?.message);
});

test("a durable run confined to one directory, killed with SIGKILL and resumed by an unrestricted conductor, is still confined", {
  skip: !linux && "Landlock is Linux's",
}, async (t) => {
  const dir = tree(t);
  const store = join(dir, "store");
  const root = join(dir, "root");
  const escaped = join(dir, "outside", "escaped.txt");
  const flow = {
    id: "confined-durable",
    type: "group",
    nodes: [
      sh("first", `echo one > '${join(root, "one.txt")}'`),
      sh("long", `touch '${join(root, "long-started")}'; sleep 3600`, { timeout: 3600000 }),
      sh("escape", `echo escaped > '${escaped}'`),
    ],
    edges: [
      { id: "e1", source: "first", target: "long" },
      { id: "e2", source: "long", target: "escape" },
    ],
  };
  const id = "exec-confined-durable";
  const script = `
    import { createConductor } from "@atomiton/conductor";
    const conductor = createConductor({ storage: { directory: ${JSON.stringify(store)} }, durability: {} });
    void conductor.node.run(${JSON.stringify(flow)}, { executionId: ${JSON.stringify(id)}, caller: "user:alice", permissions: { shell: true, files: { roots: [${JSON.stringify(root)}] } } });
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(repoRoot, "npm"),
    stdio: ["ignore", "ignore", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  await until(() => existsSync(join(root, "long-started")), undefined, "the long node to start");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  assert.equal(readFileSync(join(root, "one.txt"), "utf8"), "one\n");

  const conductor = createConductor({ storage: { directory: store }, durability: {} });
  t.after(() => conductor.shutdown());
  const record = await conductor.executions.get(id);
  const kept = record.nodes.find((node) => node.nodeId === "$permissions");
  assert.deepEqual(
    kept?.output,
    { permissions: { shell: true, image: false, files: { roots: [root] }, http: false, credentials: false }, caller: "user:alice" },
    "the record shows what the run was allowed, and for whom it ran",
  );
  const resumed = await conductor.executions.resume(id, { skip: { long: { stdout: "", stderr: "", exitCode: 0 } } });
  assert.equal(resumed.success, false, "the escape ran with the resumer's permissions");
  assert.equal(resumed.error.code, "PERMISSION_DENIED", resumed.error.message);
  assert.equal(existsSync(escaped), false, "nothing was written outside the run's roots");
  const after = await conductor.executions.get(id);
  assert.equal(
    after.nodes.find((node) => node.nodeId === "$permissions")?.output.caller,
    "user:alice",
    "the resume kept who started the run",
  );
});
