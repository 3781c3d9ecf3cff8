import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '@app/platform';
import { IngestConfig } from './config/ingest.config';
import { Admission, admitEvent } from './domain/admission';
import { INGEST_CONFIG } from './ingest.tokens';

/** `admitEvent` bound to the configured key ring; shared by the Kafka and HTTP paths. */
@Injectable()
export class EventAdmission {
  private readonly box: SecretBox;

  constructor(@Inject(INGEST_CONFIG) config: IngestConfig) {
    this.box = SecretBox.fromSpec(config.secrets.keys, config.secrets.activeKeyId);
  }

  admit(bytes: Buffer | null): Admission {
    return admitEvent(bytes, this.box);
  }
}
