export { runDoctor, scrub, type DoctorOptions } from './doctor.ts';
export { formatResult, formatSummary, profileSecrets } from './format.ts';
export {
  CheckNames,
  type CheckName,
  type CheckResult,
  type CheckStatus,
  type DoctorReport,
} from './types.ts';
export { iamPolicy } from './iam-policy.ts';
