/** `@atomiton/conductor`: the native engine (same as `/desktop`). */
export * from "./desktop.js";
