// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.
export const RECOVERY_TABLE: Readonly<Record<string, Readonly<{
  retryable: boolean;
  retryDelayMs?: number;
  maxRetries?: number;
  suggestions?: readonly string[];
}>>> = {
  "VALIDATION_FAILED": {
    "retryable": false,
    "suggestions": [
      "The input data is invalid. Please check the parameters.",
      "Review the node configuration and ensure all required fields are provided."
    ]
  },
  "INVALID_PARAMETERS": {
    "retryable": false,
    "suggestions": [
      "The input data is invalid. Please check the parameters.",
      "Review the node configuration and ensure all required fields are provided."
    ]
  },
  "INVALID_NODE": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "MISSING_REQUIRED_FIELD": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "TYPE_MISMATCH": {
    "retryable": false,
    "suggestions": [
      "The input data is invalid. Please check the parameters.",
      "Review the node configuration and ensure all required fields are provided."
    ]
  },
  "EXECUTION_FAILED": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "NODE_NOT_FOUND": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "NODE_TYPE_NOT_FOUND": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "IMPLEMENTATION_NOT_FOUND": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "CIRCULAR_DEPENDENCY": {
    "retryable": false,
    "suggestions": [
      "A circular dependency was detected in the node graph.",
      "Review the node connections and remove any cycles."
    ]
  },
  "NO_EXECUTOR_FACTORY": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "TIMEOUT": {
    "retryable": true,
    "retryDelayMs": 1000,
    "maxRetries": 3,
    "suggestions": [
      "The operation timed out. This might be due to network issues or high load.",
      "Consider increasing the timeout value or retrying the operation."
    ]
  },
  "CANCELLED": {
    "retryable": true,
    "suggestions": [
      "The operation was cancelled. You can retry if needed."
    ]
  },
  "MEMORY_LIMIT_EXCEEDED": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "RATE_LIMIT_EXCEEDED": {
    "retryable": true,
    "retryDelayMs": 5000,
    "maxRetries": 5,
    "suggestions": [
      "Rate limit exceeded. Please wait before retrying.",
      "Consider implementing request throttling or batching."
    ]
  },
  "TRANSPORT_ERROR": {
    "retryable": true,
    "retryDelayMs": 2000,
    "maxRetries": 3,
    "suggestions": [
      "Communication error occurred. This might be temporary.",
      "Check your network connection and try again."
    ]
  },
  "NO_TRANSPORT": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "IPC_COMMUNICATION_FAILED": {
    "retryable": true,
    "retryDelayMs": 2000,
    "maxRetries": 3,
    "suggestions": [
      "Communication error occurred. This might be temporary.",
      "Check your network connection and try again."
    ]
  },
  "SERIALIZATION_FAILED": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "DESERIALIZATION_FAILED": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "INTERNAL_ERROR": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "UNKNOWN_ERROR": {
    "retryable": false,
    "suggestions": [
      "An unexpected error occurred.",
      "Please check the error details and contact support if the issue persists."
    ]
  },
  "PERMISSION_DENIED": {
    "retryable": false,
    "suggestions": [
      "The run may not reach this: a path outside its roots, a host not listed, or a capability not granted (or the operating system refused the file).",
      "Grant it in the run's permissions (or the server's grant for this caller), or use a path the run may reach."
    ]
  },
  "AUTHENTICATION_FAILED": {
    "retryable": false,
    "suggestions": [
      "The server did not accept the credentials: none, unknown, expired or revoked.",
      "Log in again (auth.login) or send a valid API key."
    ]
  },
  "FILE_NOT_FOUND": {
    "retryable": false,
    "suggestions": [
      "A file or directory the flow names does not exist.",
      "Check the path (a relative path resolves against the conductor's workingDirectory), or create it before the run; a write creates missing directories unless createDirectories is false."
    ]
  },
  "FILE_EXISTS": {
    "retryable": false,
    "suggestions": [
      "The file exists, and the node was told not to replace it (overwrite: false).",
      "Set overwrite: true to replace it, or write to another path."
    ]
  },
  "WAITING": {
    "retryable": false,
    "suggestions": [
      "The run is parked at a wait node: nothing failed, and nothing runs until what it waits for comes (the error's context says what: a time, a signal or an approval).",
      "Send the signal (executions.signal) or the decision (executions.approve); a time wait wakes by itself while a conductor has the store open."
    ]
  },
  "DECISION_REQUIRED": {
    "retryable": false,
    "suggestions": [
      "The run stopped while a node with effects was running: it may have had them, and running it again could repeat them.",
      "Resume the run saying, for each node its error lists, whether to run it again (rerun) or which output to take for it (skip); mark a node that is safe to repeat idempotent: true and later runs decide by themselves."
    ]
  },
  "CREDENTIAL_NOT_FOUND": {
    "retryable": false,
    "suggestions": [
      "Set the credential (credentials.set, or `atomiton credentials set`), or name one credentials.list shows."
    ]
  },
  "CREDENTIALS_LOCKED": {
    "retryable": false,
    "suggestions": [
      "Give every process sharing the credentials the same key: ATOMITON_CREDENTIALS_KEY, or ATOMITON_CREDENTIALS_KEY_FILE (chmod 600)."
    ]
  }
};
