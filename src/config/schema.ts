import { z } from 'zod';

/**
 * The profile: every endpoint, name and credential *source* a stage needs. Never secrets:
 * the AWS profile takes credentials from the AWS default chain, MySQL passwords from an env var.
 * The data rules the profile feeds are in docs/spec.md.
 */
/** A host name or IP address; never empty (an empty proxy.host would bind every interface). */
const host = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._:-]+)$/, 'a host name or IP address (not empty, no spaces)');
/** host:port of a Kafka broker, the host never empty. */
const broker = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):\d{1,5}$/, 'host:port, e.g. 127.0.0.1:9092 (host not empty)');
const port = z.number().int().min(1).max(65535);

export const KafkaSecurityModes = ['none', 'msk-iam', 'sasl-oauthbearer', 'sasl-scram', 'ssl'] as const;

export const kafkaSecuritySchema = z
  .object({
    mode: z
      .enum(KafkaSecurityModes, { error: `must be one of ${KafkaSecurityModes.join(', ')}` })
      .default('none'),
    /** sasl-oauthbearer: a static token (unsecured JWS in the sandbox) or the env var holding it. */
    tokenEnv: z.string().optional(),
    /** sasl-oauthbearer rehearsal: the principal put in the unsecured JWS the client mints. */
    principal: z.string().optional(),
    /** sasl-oauthbearer rehearsal: the scope claim of the minted JWS (the sandbox broker requires "pinpipe"). */
    scope: z.string().min(1).default('pinpipe'),
    /** sasl-oauthbearer rehearsal: lifetime of a minted JWS; a new one is minted before it expires. */
    tokenLifetimeMs: z.number().int().min(10_000).default(3_600_000),
    /** msk-iam: the MSK cluster's region when it differs from the profile's region. */
    region: z.string().min(1).optional(),
    /** sasl-scram: mechanism, user, and the env var holding the password. */
    mechanism: z.enum(['scram-sha-256', 'scram-sha-512']).optional(),
    username: z.string().optional(),
    passwordEnv: z.string().optional(),
  })
  .strict();

/** An AWS region name such as us-east-1 or ap-southeast-2 (the infrastructure is declared for one). */
export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d+$/;

export const InfraSinks = ['host', 'msk-connect'] as const;
export const InfraVariants = ['aws', 'sandbox'] as const;
export type InfraVariant = (typeof InfraVariants)[number];

/**
 * How the CDK app in infra/ declares this profile's AWS infrastructure (docs/aws.md). Absent: the
 * defaults below; `variant` defaults to "sandbox" for sandbox profiles (the part MiniStack's
 * CloudFormation implements) and "aws" otherwise (the whole stack).
 */
/** A section whose every field has a default: an absent section is all defaults; unknown keys are refused. */
const section = <S extends z.ZodRawShape>(shape: S) =>
  z
    .object(shape)
    .strict()
    .prefault({} as z.input<z.ZodObject<S, z.core.$strict>>);

export const infraSchema = z
  .object({
    variant: z.enum(InfraVariants, { error: `must be one of ${InfraVariants.join(', ')}` }).optional(),
    /** The CloudFormation stack name; default Pinpipe-<pipelineId>. */
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a CloudFormation stack name (letters, digits, dashes)')
      .optional(),
    /** Who writes Kafka's records to S3: pinpipe's sink on the client host, or MSK Connect. */
    sink: z.enum(InfraSinks, { error: `must be one of ${InfraSinks.join(', ')}` }).default('host'),
    /** msk-connect: the Confluent S3 sink connector's zip, uploaded by you (s3://bucket/key.zip). */
    connectPluginS3Uri: z
      .string()
      .regex(
        /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/,
        'an S3 URI such as s3://my-artifacts/confluentinc-kafka-connect-s3-10.5.13.zip',
      )
      .optional(),
    /** Keep the pipeline bucket when the stack is destroyed (the default); false deletes it with its objects. */
    retainBucket: z.boolean().default(true),
    /** An existing VPC instead of a new one; ids are given, never looked up (synth stays offline). */
    vpc: z
      .object({
        vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id such as vpc-0123456789abcdef0'),
        availabilityZones: z.array(z.string().min(1)).min(2),
        /** Private subnets with a route to the internet (NAT), one per zone: brokers, client host, load balancer, MWAA, database. */
        privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id')).min(2),
      })
      .strict()
      .optional(),
    msk: section({
      mode: z.enum(['provisioned', 'serverless']).default('provisioned'),
      clusterName: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and dashes')
        .optional(),
      kafkaVersion: z.string().default('3.6.0'),
      instanceType: z.string().default('kafka.t3.small'),
      /** A multiple of the number of zones (2). */
      brokerNodes: z.number().int().min(2).default(2),
      volumeGb: z.number().int().min(1).default(10),
    }),
    host: section({
      instanceType: z.string().default('t3.small'),
      /** The Node.js major installed on the host (from nodejs.org's release tarballs). */
      nodeVersion: z
        .string()
        .regex(/^\d+\.\d+\.\d+$/, 'a Node.js version such as 22.12.0')
        .default('22.12.0'),
      /** What `npm install -g` installs pinpipe from: a git URL (git+https://…#ref) or a tarball URL. */
      pinpipeSource: z.string().min(1).optional(),
    }),
    mwaa: section({
      enabled: z.boolean().default(true),
      airflowVersion: z.string().default('3.0.6'),
      environmentClass: z.string().default('mw1.small'),
    }),
    rds: section({
      enabled: z.boolean().default(false),
      instanceType: z.string().default('t3.micro'),
      engineVersion: z.string().default('8.0.40'),
    }),
  })
  .strict();

export const profileSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    /** The original's pipeline id (e.g. 0e7ae8feb921): topic names `<id>.pin` and the bucket name use it. */
    pipelineId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{2,40}$/, 'lower-case letters, digits and dashes, 3–41 characters'),
    /** AWS region; for the sandbox any region works. */
    region: z
      .string({ error: 'required: the AWS region, e.g. us-east-1 (any region works for the sandbox)' })
      .min(1, 'required: the AWS region, e.g. us-east-1'),
    aws: z
      .object({
        /** 'static' is for emulators only (fixed dummy keys); 'default-chain' is the AWS SDK chain. */
        credentials: z.enum(['static', 'default-chain']).default('default-chain'),
        /** Emulator endpoint for S3, API Gateway and STS (MiniStack); absent on real AWS. */
        endpoint: z.string().url().optional(),
      })
      .strict(),
    mysql: z
      .object({
        host,
        port,
        database: z.string().min(1),
        user: z.string().min(1),
        /** Local sandbox only: a throwaway password. On AWS use passwordEnv. */
        password: z.string().optional(),
        passwordEnv: z.string().optional(),
      })
      .strict(),
    kafka: z
      .object({
        brokers: z.array(broker).min(1),
        clientId: z.string().default('pinpipe'),
        partitions: z.number().int().min(1).max(1000).default(3),
        replicationFactor: z.number().int().min(1).max(10).default(1),
        security: kafkaSecuritySchema.prefault({ mode: 'none' }),
        connectionTimeoutMs: z.number().int().positive().default(3000),
      })
      .strict(),
    s3: z
      .object({
        bucket: z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name (3–63 lower-case characters)'),
        /** Prefix of the sink's objects (the connector's topics.dir). */
        topicsDir: z.string().default('topics'),
        forcePathStyle: z.boolean().default(false),
        /** Create the bucket when it is missing (sandbox: true; AWS: provision does it). */
        createBucket: z.boolean().default(false),
        /** Longest wait for a TCP (and TLS) connection to the S3 endpoint. */
        connectionTimeoutMs: z.number().int().min(100).max(600_000).default(3000),
        /** Longest time one S3 request may take, response included; the SDK then retries it. */
        requestTimeoutMs: z.number().int().min(100).max(3_600_000).default(30_000),
      })
      .strict(),
    apiGateway: z
      .object({
        restApiName: z.string().min(1),
        stage: z.string().min(1).default('test'),
        /** Fixed invoke URL (AWS, when already provisioned). Empty: discovered from the API by name. */
        invokeUrl: z.string().url().optional(),
      })
      .strict(),
    proxy: z
      .object({
        host: host.default('127.0.0.1'),
        port: port.default(8082),
        /** Where the API Gateway integration forwards to (the proxy as seen from the gateway). */
        url: z.string().url(),
        /** Name of the env var holding an optional API key clients must send as X-API-Key. */
        apiKeyEnv: z.string().optional(),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
        lingerMs: z.number().int().min(0).max(1000).default(1),
        /** Open client connections; a request on a connection over the cap is answered 429. */
        maxConnections: z.number().int().min(1).default(512),
        /** Produce requests admitted at once (body being read or waiting for Kafka); more get 429. */
        maxRequestsInFlight: z.number().int().min(1).default(256),
        /** Request body bytes held at once (declared Content-Length, counted before reading); more get 429. */
        maxBytesInFlight: z
          .number()
          .int()
          .min(1024)
          .default(16 * 1024 * 1024),
        /** Retry-After (seconds) sent with 429 and 503 answers. */
        retryAfterSeconds: z.number().int().min(1).max(600).default(1),
        /** Longest wait for Kafka's acknowledgement before answering 503. */
        sendTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        /** Time a client has to send the request headers, and the whole request. */
        headersTimeoutMs: z.number().int().min(100).default(5_000),
        requestTimeoutMs: z.number().int().min(100).default(20_000),
      })
      .strict(),
    sink: z
      .object({
        groupId: z.string().min(1),
        flushSize: z.number().int().min(1).default(1000),
        rotateIntervalMs: z.number().int().min(0).default(0),
        rotateScheduleIntervalMs: z.number().int().min(0).default(0),
        topicsRegex: z.string().optional(),
        /** Serve the sink's Prometheus metrics on 127.0.0.1:<port> (absent: off; 0: any free port). */
        metricsPort: z.number().int().min(0).max(65535).optional(),
      })
      .strict(),
    batch: z
      .object({
        /** Local working folder: object cache, manifest, DuckDB file, results. */
        workDir: z.string().default('.pinpipe/batch'),
        curatedPrefix: z.string().default('curated'),
        analyticsPrefix: z.string().default('analytics'),
        fetchConcurrency: z.number().int().min(1).max(256).default(16),
        /** DuckDB's memory limit for the batch (past it, DuckDB spills to <workDir>/duckdb-tmp). */
        memoryLimit: z
          .string()
          .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as 2GB or 512MB')
          .default('2GB'),
      })
      .strict(),
    schedule: z
      .object({ cron: z.string().default('0 0 * * *') })
      .strict()
      .default({ cron: '0 0 * * *' }),
    infra: infraSchema.prefault({}),
    sandbox: z
      .object({
        /**
         * True for the local sandbox profiles: sandbox:up starts these services. Their ports are
         * those of mysql.port, kafka.brokers[0] and aws.endpoint, so clients and services agree.
         */
        enabled: z.boolean().default(false),
        dir: z.string().default('.sandbox'),
        kafkaControllerPort: port.default(9093),
        /** Second listener, SASL_PLAINTEXT + OAUTHBEARER. 0 disables it. */
        kafkaSaslPort: z.number().int().min(0).max(65535).default(9094),
        /**
         * A secured sandbox profile (kafka.brokers names the SASL listener): the broker's plain
         * listener, the one the sandbox starts and health-checks the broker on.
         */
        kafkaPort: port.optional(),
        kafkaHeapMb: z.number().int().min(128).default(512),
        /** How long each service may take to become healthy before up gives up and cleans up. */
        startTimeoutSec: z.number().int().min(1).default(90),
        seedRows: z.number().int().min(1).default(11000),
        seedSeed: z.number().int().default(42),
      })
      .strict()
      .default({
        enabled: false,
        dir: '.sandbox',
        kafkaControllerPort: 9093,
        kafkaSaslPort: 9094,
        kafkaHeapMb: 512,
        startTimeoutSec: 90,
        seedRows: 11000,
        seedSeed: 42,
      }),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;

/** The three topics of a post by their short name, in the original's order (docs/spec.md#emulation). */
export const TOPIC_KINDS = ['pin', 'geo', 'user'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** The three topic names of a profile, in the original's order. */
export function topicNames(profile: Pick<Profile, 'pipelineId'>): Record<TopicKind, string> {
  return {
    pin: `${profile.pipelineId}.pin`,
    geo: `${profile.pipelineId}.geo`,
    user: `${profile.pipelineId}.user`,
  };
}
