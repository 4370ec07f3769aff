export {
  deployStack,
  destroyStack,
  readStackOutputs,
  cloudFormationFailure,
  MAX_TEMPLATE_BODY_BYTES,
  type DeployOptions,
  type StackResult,
  type StackWaitOptions,
} from './deploy.ts';
export {
  operationPhase,
  firstFailure,
  stackFailed,
  formatEvent,
  type FailedResource,
  type StackOperation,
} from './status.ts';
export {
  fieldsFromOutputs,
  checkFields,
  applyFields,
  outputNotes,
  OUTPUT_FIELDS,
  INFO_OUTPUTS,
  API_KEY_SECRET_FIELD,
  type DerivedField,
  type FieldCheck,
} from './profile-fields.ts';
export { stackNameFor } from './stack-name.ts';
