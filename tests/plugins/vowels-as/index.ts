// `vowels-as`: a WebAssembly node type written in AssemblyScript with Extism's PDK, the test
// suite's second plugin fixture (scripts/build-plugins.sh builds it into ../vowels_as.wasm, which
// is checked in). It counts the vowels of its input (the node's data as JSON text) and says how
// long that text is, with the configured `label` when there is one.
import { Config, Host } from "@extism/as-pdk";

// Traps are the host's to report: nothing to print here.
function myAbort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  unreachable();
}

export function run(): i32 {
  const text = Host.inputString();
  let vowels = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if ("aeiouAEIOU".includes(c)) vowels += 1;
  }
  const label = Config.get("label");
  const named = label == null ? "null" : '"' + label + '"';
  Host.outputString('{"vowels":' + vowels.toString() + ',"length":' + text.length.toString() + ',"label":' + named + ',"language":"AssemblyScript"}');
  return 0;
}
