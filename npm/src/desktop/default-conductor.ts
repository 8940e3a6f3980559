/**
 * `conductor`: the ready-made instance the docs import (`import { conductor } from
 * "@atomiton/conductor"`). In Node it is created on first use, with the environment's defaults,
 * so importing the package costs nothing until it is used.
 */
import type { Conductor } from "../conductor/api.js";
import { createNativeConductor } from "./native-conductor.js";

function lazily(create: () => Conductor): Conductor {
  let instance: Conductor | undefined;
  const target = (): Conductor => (instance ??= create());
  return new Proxy({} as Conductor, {
    get: (_, property) => Reflect.get(target(), property),
    has: (_, property) => property in target(),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor(_, property) {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), property);
      // The proxy's own target is empty: a property it reports must be configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}

export const conductor: Conductor = lazily(() => createNativeConductor({}));
