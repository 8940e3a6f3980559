/**
 * In Node the OpenTelemetry API is found where the app installed it (`@opentelemetry/api`, an
 * optional peer dependency). Imported for its effect by the Node entry and the queue worker.
 */
import nodeRequire from "../runtime/node-require.cjs";
import { setDefaultOtelSource } from "./api.js";

setDefaultOtelSource(() => nodeRequire.requireOptional("@opentelemetry/api"));
