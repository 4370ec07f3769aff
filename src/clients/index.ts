export { createMysqlPool, connectMysql, mysqlOptions, mysqlUnreachable, type MysqlPool } from './mysql.ts';
export {
  kafkaBaseOptions,
  createKafkaAdmin,
  createKafkaProducer,
  createKafkaConsumer,
  type KafkaAdmin,
  type KafkaProducer,
  type KafkaConsumer,
  type KafkaProducerOptions,
  type KafkaConsumerOptions,
} from './kafka.ts';
export {
  createTopicsReady,
  topicOffsets,
  groupOffsets,
  type CreateTopicsOptions,
  type TopicSpec,
  type PartitionWatermarks,
} from './kafka-topics.ts';
export {
  KafkaDeadlineError,
  withDeadline,
  kafkaErrorChain,
  isKafkaError,
  isKafkaUnavailable,
  isKafkaRetriable,
  isKafkaAuthError,
  kafkaAuthCause,
  kafkaProtocolError,
  isKafkaConnectionClosed,
  describeKafkaChain,
  describeKafkaFailure,
} from './kafka-errors.ts';
export { kafkaFailure } from './kafka-auth.ts';
export { createS3 } from './s3.ts';
export { bucketExists, createBucket, ensureBucket, isNoSuchBucket } from './s3-bucket.ts';
export { createApiGateway, invokeUrl } from './apigateway.ts';
export { createCloudFormation } from './cloudformation.ts';
export { awsClientConfig } from './aws.ts';
