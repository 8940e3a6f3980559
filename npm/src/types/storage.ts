/** Storage, template and environment shapes, as the TypeScript engine's API and channels had them. */
import type { NodeDefinition } from "./definition.js";

export type FlowDefinition = Partial<NodeDefinition> & {
  id?: string;
  name?: string;
  nodes: NodeDefinition[];
  version?: string;
  savedAt?: string;
  deleted?: boolean;
};

export type FlowListItem = {
  id: string;
  name?: string;
  nodeCount?: number;
  savedAt?: string;
  updatedAt?: string;
  createdAt?: string;
  modifiedAt?: string;
  version?: string;
  deleted?: boolean;
};

export type FlowListResponse = { flows: FlowListItem[]; total?: number };

export type ListFlowsOptions = {
  limit?: number;
  offset?: number;
  sortBy?: "savedAt" | "name" | "updatedAt" | "createdAt";
  sortOrder?: "asc" | "desc";
};

/** A saved flow's event, as the TypeScript engine typed it (`{flowId, timestamp}`); `id`, `name` and `savedAt` are what its desktop sent. */
export type FlowSavedEvent = { flowId: string; timestamp: number; id?: string; name?: string; savedAt?: string };
/** What `storage.onFlowSaved` passes: both forms at once. */
export type SavedFlowEvent = FlowSavedEvent & { id: string; name: string; savedAt: string };

/**
 * A bundled template. `slug` (ours) is its readable id (`hello-world`), accepted wherever `id`
 * is; a server of the TypeScript engine does not send it.
 */
export type FlowTemplateInfo = { id: string; slug?: string; name: string; description?: string; nodeCount: number };

export type AuthCredentials = { username: string; password: string };
export type AuthResult = { token?: string; user?: UserInfo; expiresAt?: string };
export type UserInfo = { id: string; username: string; email?: string; roles?: string[] };

export type EnvironmentInfo = {
  type: "desktop" | "browser";
  isDesktop: boolean;
  hasTransport: boolean;
  capabilities: {
    nodeExecution: boolean;
    localStorage: boolean;
    sessionStorage: boolean;
    fileSystem: boolean;
    cloudExecution: boolean;
  };
  details: {
    userAgent: string;
    platform: string;
    /** A conductor in a Node process: the engine its flows run on in this process. */
    engine?: "native" | "wasm";
    /** Why `engine: "auto"` runs on wasm: the native engine's load error (what was tried and why it failed). */
    engineFallback?: string;
  };
};

/** What `node.validate` finds (generated from the Rust type that writes it). */
export type { ValidationIssue, ValidationResult } from "./answers.generated.js";
