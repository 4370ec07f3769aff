import type { Stack } from 'aws-cdk-lib';
import type { Profile } from '../src/config/index.ts';

/** Everything beyond MiniStack: VPC, MSK, client host, MSK Connect, MWAA, database. */
export function declareAwsPart(_stack: Stack, _profile: Profile): void {}
