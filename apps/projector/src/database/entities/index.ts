import { AttemptEntity } from './attempt.entity';
import { BatchMemberEntity } from './batch-member.entity';
import { BatchEntity } from './batch.entity';
import { CallbackEntity } from './callback.entity';
import { CommunicationEntity } from './communication.entity';
import { DeliveryStatusEntity } from './delivery-status.entity';
import { MessageEntity } from './message.entity';

/** Entities the read side maps; writes go through multi-row SQL in projection.store.ts. */
export const PROJECTION_ENTITIES = [
  AttemptEntity,
  BatchEntity,
  BatchMemberEntity,
  CallbackEntity,
  CommunicationEntity,
  DeliveryStatusEntity,
  MessageEntity,
];
