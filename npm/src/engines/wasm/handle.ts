/** A wasm module's `WasmConductor` as the `SessionHandle` the session engine drives. */
import type { SessionHandle } from "../session/handle.js";
import type { WasmConductor } from "./atomiton_conductor_wasm.js";

/**
 * `conductor` as a `SessionHandle`: `run` hands the flow over as UTF-8 bytes (see
 * `WasmConductor::run` in bindings-wasm/src/conductor.rs); every other method is the module's
 * own, reached through the prototype so it keeps its receiver's pointer.
 */
export function sessionHandle(conductor: WasmConductor): SessionHandle {
  const encoder = new TextEncoder();
  const handle = Object.create(conductor) as SessionHandle;
  handle.run = (runId, flowJson, optionsJson, buffers) => conductor.run(runId, encoder.encode(flowJson), optionsJson, buffers);
  return handle;
}
