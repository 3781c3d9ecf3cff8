import { CallbackConfig, InboundCallbackConfig, InboundEvent, SealedSecret, secretAad } from '@app/contracts';

/** What sealing needs from the key ring (SecretBox satisfies it). */
export interface Sealer {
  seal(plain: string, aad: string): SealedSecret;
}

/**
 * Turns an inbound event into the shape stored on the log: every secret of a
 * `CommunicationConfigured` is sealed, bound to its communication, callback and field, so a sealed
 * value copied to another callback cannot be opened. Other event types carry no secret and are
 * returned as they are. The result is not yet validated; see `admitEvent`.
 */
export function sealSecrets(event: InboundEvent, sealer: Sealer): unknown {
  if (event.type !== 'CommunicationConfigured') return event;
  const communicationId = event.communicationId;
  const sealCallback = (c: InboundCallbackConfig): CallbackConfig => {
    const { credentials, signingSecret, ...rest } = c;
    return {
      ...rest,
      ...(credentials && {
        credentials: {
          ...credentials,
          password: sealer.seal(credentials.password, secretAad(communicationId, c.id, 'password')),
        },
      }),
      ...(signingSecret !== undefined && {
        signingSecret: sealer.seal(signingSecret, secretAad(communicationId, c.id, 'signingSecret')),
      }),
    };
  };
  return { ...event, data: { ...event.data, callbacks: event.data.callbacks.map(sealCallback) } };
}
