/** Injection tokens of the projector module. */
export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');
export const KAFKA = Symbol('KAFKA');
export const LOG_PRODUCER = Symbol('LOG_PRODUCER');
