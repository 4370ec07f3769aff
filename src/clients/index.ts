export { createMysqlPool, connectMysql, mysqlOptions, mysqlUnreachable, type MysqlPool } from './mysql.ts';
export { createKafka, kafkaConfig } from './kafka.ts';
export { createS3 } from './s3.ts';
export { bucketExists, createBucket, ensureBucket, isNoSuchBucket } from './s3-bucket.ts';
export { createApiGateway, invokeUrl } from './apigateway.ts';
export { createCloudFormation } from './cloudformation.ts';
export { awsClientConfig } from './aws.ts';
