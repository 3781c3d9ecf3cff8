import type { BatchRow, DeliveryStatusRow, MessageRow } from '../projection.schema';
import type { Handler } from './handler.types';
import { earliest, openCallbacks } from './row.rules';

/**
 * A message's row follows its latest event by event time, not by arrival: a message's events
 * normally share one partition (key = communication id), but rows must not depend on
 * cross-partition interleaving if they do not. Its batch is opened on its first message.
 */
export const onMessageEvent: Handler<
  'MessageSent' | 'MessageDeliveryProblem' | 'MessageDeliveryStatusChanged'
> = (rows, e, position) => {
  const d = e.data;
  const prior = rows.get('messages', d.messageId);
  const newer = !prior || Date.parse(e.occurredAt) >= Date.parse(prior.lastEventAt);
  const row: MessageRow = prior
    ? { ...prior, firstEventAt: earliest(prior.firstEventAt, e.occurredAt) }
    : {
        messageId: d.messageId,
        communicationId: e.communicationId,
        batchId: d.batchId,
        memberAttributes: d.memberAttributes,
        firstEventAt: e.occurredAt,
        lastEventType: e.type,
        lastEventAt: e.occurredAt,
        sentAt: null,
        problem: null,
        deliveryChannel: null,
        deliveryStatus: null,
        deliveryErrorCode: null,
      };
  if (newer)
    Object.assign(row, {
      batchId: d.batchId,
      memberAttributes: d.memberAttributes,
      lastEventType: e.type,
      lastEventAt: e.occurredAt,
    });
  const deliveryStatuses: DeliveryStatusRow[] = [];
  if (e.type === 'MessageSent') row.sentAt = row.sentAt ? earliest(row.sentAt, e.occurredAt) : e.occurredAt;
  if (e.type === 'MessageDeliveryProblem' && newer) row.problem = { ...e.data.problem };
  if (e.type === 'MessageDeliveryStatusChanged') {
    if (newer) {
      row.deliveryChannel = e.data.channel;
      row.deliveryStatus = e.data.status;
      row.deliveryErrorCode = e.data.errorCode;
    }
    deliveryStatuses.push({
      eventId: e.id,
      messageId: d.messageId,
      communicationId: e.communicationId,
      channel: e.data.channel,
      status: e.data.status,
      previousStatus: e.data.previousStatus,
      errorCode: e.data.errorCode,
      twilioSid: e.data.twilioSid ?? null,
      occurredAt: e.occurredAt,
      logPartition: position.partition,
      logOffset: position.offset,
    });
  }
  const batch = rows.get('batches', d.batchId);
  const batches: BatchRow[] = [];
  if (batch && Date.parse(e.occurredAt) < Date.parse(batch.firstEventAt)) {
    batches.push({ ...batch, firstEventAt: e.occurredAt });
  } else if (!batch) {
    batches.push({
      batchId: d.batchId,
      communicationId: e.communicationId,
      status: 'open',
      messageCount: null,
      firstEventAt: e.occurredAt,
      completedAt: null,
      completedEventId: null,
    });
  }
  return {
    deliveryStatuses,
    messages: [row],
    batches,
    batchMembers: [{ batchId: d.batchId, messageId: d.messageId, memberAttributes: d.memberAttributes }],
    ...openCallbacks(rows, e, d.messageId, position),
  };
};
