export { loadProfile, listProfiles, profilePath, applyOverrides, type LoadedProfile } from './load.ts';
export {
  profileSchema,
  topicNames,
  KafkaSecurityModes,
  type Profile,
  AWS_REGION_PATTERN,
  TOPIC_KINDS,
  type InfraVariant,
  type TopicKind,
} from './schema.ts';
export {
  readEnv,
  readSecret,
  PROJECT_ROOT,
  type PinpipeEnv,
  LOG_LEVELS,
  type SinkFaultPoint,
} from './env.ts';
export { checkedNumber, parseStageOptions } from './options.ts';
export { checkProfile } from './rules.ts';
