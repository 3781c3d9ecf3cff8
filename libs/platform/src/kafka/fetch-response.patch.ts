import v4 from 'kafkajs/src/protocol/requests/fetch/v4/response';
import v5 from 'kafkajs/src/protocol/requests/fetch/v5/response';
import v6 from 'kafkajs/src/protocol/requests/fetch/v6/response';
import v7 from 'kafkajs/src/protocol/requests/fetch/v7/response';
import v8 from 'kafkajs/src/protocol/requests/fetch/v8/response';
import v9 from 'kafkajs/src/protocol/requests/fetch/v9/response';
import v10 from 'kafkajs/src/protocol/requests/fetch/v10/response';
import v11 from 'kafkajs/src/protocol/requests/fetch/v11/response';
import { abortedRecordOffsets, type AbortedTransaction, type FetchedRecord } from './aborted.records';

/**
 * kafkajs 2.2.4 (its last release) filters aborted transactions wrongly for read_committed
 * consumers: a fetch that starts inside two or more aborted transactions (a consumer resuming at a
 * committed offset after a crash or a rebalance, or a fetch cut by its size limit) hands records
 * of aborted transactions to the application as if committed (see `abortedRecordOffsets`). Every
 * consumer here reads read_committed, and all of them met it after a crash: a dispatcher fired an
 * aborted retry record or took an aborted done marker as settling its records, readers counted
 * aborted events (decision 0684).
 *
 * Each fetch response is corrected as it is parsed, before kafkajs builds its batch: records of
 * aborted transactions are flagged as control records (kafkajs drops those from the batch but
 * still moves its position past them) and the aborted list is emptied, so kafkajs's own filter
 * changes nothing. kafkajs calls `parse` through the module object, so this works whenever it loads.
 */
interface PartitionData {
  abortedTransactions?: AbortedTransaction[] | null;
  messages: FetchedRecord[];
}
interface FetchResponse {
  responses?: { partitions: PartitionData[] }[];
}

function dropAborted(partition: PartitionData): void {
  const aborted = partition.abortedTransactions;
  if (!aborted || aborted.length === 0) return;
  const offsets = abortedRecordOffsets(partition.messages, aborted);
  for (const record of partition.messages) if (offsets.has(record.offset)) record.isControlRecord = true;
  partition.abortedTransactions = [];
}

const PATCHED = Symbol.for('dispatch-callbacks.fetch-response.patch');
for (const response of [v4, v5, v6, v7, v8, v9, v10, v11]) {
  const original = response.parse as ((data: FetchResponse) => Promise<FetchResponse>) & { [PATCHED]?: true };
  if (original[PATCHED]) continue;
  const parse = async (data: FetchResponse): Promise<FetchResponse> => {
    const parsed = await original(data);
    for (const topic of parsed.responses ?? [])
      for (const partition of topic.partitions) dropAborted(partition);
    return parsed;
  };
  response.parse = Object.assign(parse, { [PATCHED]: true as const });
}
