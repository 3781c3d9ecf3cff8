import { SecretBox } from '@app/platform';
import { IngestConfig } from './config/ingest.config';
import { Admission, admitEvent } from './domain/admission';

/** `admitEvent` bound to the configured key ring; shared by the Kafka and HTTP paths. */
export class EventAdmission {
  private readonly box: SecretBox;
  private readonly windowMs: number;

  constructor(config: IngestConfig) {
    this.box = SecretBox.fromSpec(config.secretsKeys, config.secretsActiveKeyId);
    this.windowMs = config.occurredAtWindowMs;
  }

  /** `receivedAtMs`: when the input arrived (the request, or the consumed batch). */
  admit(bytes: Buffer | null, receivedAtMs: number): Admission {
    return admitEvent(bytes, this.box, { receivedAtMs, occurredAtWindowMs: this.windowMs });
  }
}
