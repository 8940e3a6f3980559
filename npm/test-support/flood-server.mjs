// A protocol server in a child process (`node --expose-gc`), for measuring its memory while a
// test floods it: it reports `{ready: {port, apiKey}}`, and answers `"memory"` with
// `process.memoryUsage()` after full garbage collections.
import { WebSocketServer } from "ws";
import { createConductor, createProtocolServer, generateApiKey, hashPassword } from "@atomiton/conductor/desktop";

const { key, keyHash } = generateApiKey();
const conductor = createConductor({ storage: { type: "memory" }, progressThrottle: 0 });
const server = await createProtocolServer(conductor, {
  WebSocketServer,
  maxBodyBytes: 64 * 1024,
  limits: { maxMessageBytes: 16 * 1024, authTimeoutMs: 60_000 },
  auth: {
    users: [{ username: "alice", passwordHash: await hashPassword("pw") }],
    apiKeys: [{ id: "flood", keyHash, grant: { limits: { runsPerMinute: 1e9, concurrentRuns: 1e9 } } }],
  },
});

process.on("message", async (message) => {
  if (message === "memory") {
    for (let i = 0; i < 4; i++) {
      global.gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.send({ memory: process.memoryUsage() });
  } else if (message === "close") {
    await server.close();
    process.exit(0);
  }
});
process.send({ ready: { port: server.port, apiKey: key } });
