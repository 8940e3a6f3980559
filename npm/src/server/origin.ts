/**
 * Which browser origins may reach the protocol server. A flow can run shell commands, so a web
 * page the user happens to visit must not be able to drive a server on localhost: browsers send
 * `Origin` with cross-site requests and WebSocket handshakes, and we refuse origins not listed.
 * Non-browser clients (Node, Electron's main process) send no `Origin` and are let through.
 */
export function originAllowed(origin: string | undefined, allowedOrigins: readonly string[]): boolean {
  return origin === undefined || allowedOrigins.includes("*") || allowedOrigins.includes(origin);
}
