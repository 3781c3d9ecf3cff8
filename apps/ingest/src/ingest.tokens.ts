/** Injection token of ingest's configuration (read by the API key guard). */
export const INGEST_CONFIG = Symbol('INGEST_CONFIG');
