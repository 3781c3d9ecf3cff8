// The Nest entry of the platform (`@app/platform/nest`): controllers, guards, filters, middleware,
// the HTTP conventions and the logger, which it installs behind the pure code's `loggerFor`.
// Framework-free helpers are in `@app/platform` (decisions 0703, 0709).
export * from './api-key.guard';
export * from './app.logger';
export * from './http.conventions';
export * from './json-error.filter';
export * from './liveness.controller';
export * from './metrics.controller';
export * from './readiness.report';
export * from './request-logging.middleware';
