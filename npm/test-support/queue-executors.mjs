// Node types for queue-mode tests, loaded by workers with `atomiton worker --executors`:
// `sleep` waits `ms` (stopping early when its run is cancelled) and passes its input on;
// `pid` answers with the worker process's pid.
export default {
  sleep: {
    execute: (params) =>
      new Promise((resolve) => {
        const timer = setTimeout(() => resolve(params.input?.default ?? null), params.ms);
        params.signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve("aborted");
        });
      }),
  },
  pid: { execute: () => process.pid },
};
