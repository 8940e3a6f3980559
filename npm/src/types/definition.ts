/**
 * The flow model (`NodeDefinition`, `NodeEdge`, ports, metadata, field configs), as the TypeScript
 * engine typed it. Unknown fields are kept by the engine on every object.
 */

export type NodePortType = "input" | "output" | "trigger" | "error";
export type NodePortDataType =
  | "string"
  | "number"
  | "boolean"
  | "date"
  | "regex"
  | "object"
  | "array"
  | "any"
  | "function"
  | "buffer"
  | "stream"
  | "binary"
  | "json"
  | "xml"
  | "html"
  | "markdown"
  | "csv";

export type NodePort = {
  id: string;
  name: string;
  type: NodePortType;
  dataType: NodePortDataType;
  required?: boolean;
  multiple?: boolean;
  description?: string;
  defaultValue?: unknown;
  [key: string]: unknown;
};

export type NodeCategory =
  | "io"
  | "data"
  | "logic"
  | "media"
  | "system"
  | "ai"
  | "database"
  | "analytics"
  | "communication"
  | "utility"
  | "user"
  | "group";

export type NodeMetadata = {
  id: string;
  name: string;
  author: string;
  authorId?: string;
  source?: "system" | "user" | "community" | "organization" | "marketplace";
  description: string;
  category: NodeCategory;
  icon: string;
  keywords?: string[];
  tags?: string[];
  runtime?: { language: "typescript" | "python" | "rust" | "wasm" | "golang" };
  experimental?: boolean;
  deprecated?: boolean;
  documentationUrl?: string;
  examples?: Array<{ name: string; description: string; config: Record<string, unknown> }>;
  [key: string]: unknown;
};

export type NodeFieldControlType =
  | "text"
  | "textarea"
  | "password"
  | "email"
  | "url"
  | "number"
  | "range"
  | "boolean"
  | "select"
  | "date"
  | "datetime"
  | "file"
  | "color"
  | "json"
  | "code"
  | "markdown"
  | "rich-text";

export type NodeFieldConfig = {
  controlType: NodeFieldControlType;
  label: string;
  placeholder?: string;
  helpText?: string;
  required?: boolean;
  min?: number;
  max?: number;
  step?: number;
  rows?: number;
  options?: Array<{ value: string; label: string }>;
};

export type NodeFieldsConfig = Record<string, NodeFieldConfig>;
export type NodeParameters = Record<string, unknown>;
export type NodePosition = { x: number; y: number };

export type NodeEdge = {
  id: string;
  type?: "bezier" | "straight" | "step" | "smoothstep";
  source: string;
  target: string;
  sourceHandle?: string | null;
  targetHandle?: string | null;
  animated?: boolean;
  hidden?: boolean;
  deletable?: boolean;
  selectable?: boolean;
  selected?: boolean;
  zIndex?: number;
  ariaLabel?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
};

/** A node; with a non-empty `nodes` array it is a group (a flow). */
export type NodeDefinition = {
  readonly id: string;
  readonly type: string;
  readonly version?: string;
  parentId?: string;
  name?: string;
  position?: NodePosition;
  metadata?: Partial<NodeMetadata>;
  parameters?: NodeParameters;
  fields?: NodeFieldsConfig;
  inputPorts?: NodePort[];
  outputPorts?: NodePort[];
  nodes?: NodeDefinition[];
  edges?: NodeEdge[];
  [key: string]: unknown;
};
