import type { KafkaConfig } from 'kafkajs';
import type { Profile } from '../config/schema.ts';
import { readSecret } from '../config/env.ts';
import { PinpipeError } from '../errors.ts';

/**
 * TLS and SASL settings per kafka.security.mode (issue 10). 'none' is the sandbox default.
 */
export function kafkaSecurityConfig(profile: Profile): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const sec = profile.kafka.security;
  switch (sec.mode) {
    case 'none':
      return {};
    case 'ssl':
      return { ssl: true };
    case 'sasl-scram': {
      const password = readSecret(sec.passwordEnv);
      if (!password) {
        throw new PinpipeError(
          'CONFIG_INVALID',
          `kafka.security: sasl-scram needs its password in the environment variable ${sec.passwordEnv ?? '(unset)'}.`,
        );
      }
      return {
        ssl: true,
        sasl: {
          mechanism: (sec.mechanism ?? 'scram-sha-512') as 'scram-sha-512',
          username: sec.username ?? '',
          password,
        },
      };
    }
    case 'sasl-oauthbearer':
    case 'msk-iam':
      throw new PinpipeError('CONFIG_INVALID', `kafka.security.mode "${sec.mode}" is not implemented yet.`);
  }
}
