/** Injection token of the projector's configuration. */
export const PROJECTOR_CONFIG = Symbol('PROJECTOR_CONFIG');
