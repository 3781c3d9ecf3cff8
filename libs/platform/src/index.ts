// The framework-free entry of the platform (`@app/platform`): nothing of NestJS. Controllers,
// guards, filters, middleware and the logger are in `@app/platform/nest` (decisions 0703, 0709).
export * from './config/config.loader';
export * from './kafka/kafka.client';
export * from './kafka/kafka.connection';
export * from './kafka/topics';
export * from './kafka/headers';
export * from './secrets/secret.box';
export * from './secrets/redact';
export * from './observability/metrics.registry';
export * from './http/api-key.ring';
export * from './kafka/consumer.supervisor';
export * from './kafka/kafka.log';
export * from './logging/log.settings';
export * from './logging/context.logger';
export * from './observability/health';
export * from './kafka/log.identity';
export * from './kafka/log-identity.reader';
export * from './kafka/quarantine.copy';
export * from './kafka/produce.parts';
export * from './resilience/failure.classify';
export * from './resilience/parking.policy';
export * from './resilience/poison.guard';
export * from './kafka/parked.record';
export * from './kafka/batch.unit';
export * from './kafka/transaction.scope';
export * from './kafka/transactional.producers';
export * from './resilience/answers.probe';
