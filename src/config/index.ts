export { loadProfile, listProfiles, profilePath, applyOverrides, type LoadedProfile } from './load.ts';
export { profileSchema, topicNames, KafkaSecurityModes, type Profile } from './schema.ts';
export { readEnv, readSecret, PROJECT_ROOT, type PinpipeEnv } from './env.ts';
