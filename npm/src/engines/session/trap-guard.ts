/**
 * Wasm trap recovery: a Rust panic traps the wasm module (its build has no unwinding), and the
 * instance is unusable afterwards. The session engine watches every call into it for one.
 */
import type { SessionHandle } from "./handle.js";

/** Whether `error` is a wasm trap (`WebAssembly.RuntimeError`). */
export function isWasmTrap(error: unknown): boolean {
  return typeof WebAssembly !== "undefined" && error instanceof WebAssembly.RuntimeError;
}

/**
 * `handle` with every method call watched for a wasm trap (`WebAssembly.RuntimeError`), and
 * refused once the session has stopped.
 */
export function trapGuarded(handle: SessionHandle, stopped: () => boolean, onTrap: (error: unknown) => void): SessionHandle {
  return new Proxy(handle, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (stopped()) throw new Error("The engine stopped on an internal error; a fresh engine takes the next call");
        try {
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          if (isWasmTrap(error)) onTrap(error);
          throw error;
        }
      };
    },
  });
}
