/** Injection tokens for values that are not classes. */
export const INGEST_CONFIG = Symbol('INGEST_CONFIG');
export const KAFKA = Symbol('KAFKA');
