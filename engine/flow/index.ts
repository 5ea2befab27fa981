/** The flow module's public surface: loading and validating flow files, diagnostics, secrets, the schema. */
export type { AdapterBlock, FlowConfig, GroupSlots, Mode, NewStatus, PolicyConfig } from './types.ts';
export type { Diagnostic, Position, Severity } from './diagnostic.ts';
export { formatDiagnostic, hasErrors } from './diagnostic.ts';
export { flowErrors, type FlowErrorCode } from './errors.ts';
export type { CompiledExpressions } from './expressions.ts';
export { loadFlowFile, type FlowFileResult, type LoadOptions } from './load-file.ts';
export { loadFlowDir, flowFilesIn, type FlowSetResult, type LoadedFlow } from './load-dir.ts';
export { parseSecretRef, resolveSecret, secretContext, type SecretRef } from './secrets.ts';
export { buildFlowSchema, renderFlowSchema, type JsonSchema } from './schema-build.ts';
export { registeredAdapterSchemas, type AdapterSchemas } from './adapter-schemas.ts';
