export * from './config/load-config';
export * from './kafka/kafka-client';
export * from './kafka/topics';
export * from './kafka/headers';
export * from './secrets/secret-box';
export * from './secrets/redact';
export * from './observability/metrics';
export * from './http/api-key.guard';
