/**
 * Where an engine's answer text becomes a value. A session method's text is typed
 * `Encoded<T>` by the declaration it is generated from (the Rust type that wrote it is `T`'s
 * source), so reading it gives a `T` without a guess at its shape.
 */
import type { Encoded } from "../types/answers.generated.js";
import { decodeValue } from "../values/codec.js";

/** The value JSON text holds. */
export function decoded<T>(text: Encoded<T>): T {
  return JSON.parse(text) as T;
}

/** The value codec text holds (binary data and what JSON cannot say come tagged). */
export function decodedValue<T>(text: Encoded<T>): T {
  return decodeValue(text) as T;
}
