// The Nest entry of the platform (`@app/platform/nest`): controllers, guards, filters, middleware
// and the HTTP conventions. Framework-free helpers are in `@app/platform` (decision 0703).
export * from './api-key.guard';
export * from './http.conventions';
export * from './json-error.filter';
export * from './liveness.controller';
export * from './metrics.controller';
export * from './readiness.report';
export * from './request-logging.middleware';
