/** A record as kafkajs decodes it from a fetch response (the fields the read_committed filter needs). */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

/** An aborted transaction the broker lists with a fetch response: its producer and first offset. */
export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** A control record's key is version (int16) then type (int16): 0 = ABORT, 1 = COMMIT. */
const isAbortMarker = (r: FetchedRecord) =>
  r.isControlRecord && r.key !== null && r.key.length >= 4 && r.key.readInt16BE(2) === 0;

/**
 * The offsets of the fetched records that belong to aborted transactions, as the Java consumer
 * decides it: every listed transaction whose first offset has been reached is open for its
 * producer (however many start before the record at hand, in whatever order the broker listed
 * them) until that producer's ABORT marker. kafkajs 2.2.4 opens one listed transaction per record
 * and takes the list as sorted, so a fetch starting inside two aborted transactions lets records
 * of the second producer through to read_committed consumers (decision 0684).
 */
export function abortedRecordOffsets(
  records: readonly FetchedRecord[],
  aborted: readonly AbortedTransaction[],
): Set<string> {
  const out = new Set<string>();
  if (aborted.length === 0) return out;
  const queue = [...aborted].sort((a, b) => {
    const d = BigInt(a.firstOffset) - BigInt(b.firstOffset);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
  const open = new Set<string>();
  let next = 0;
  for (const r of records) {
    const offset = BigInt(r.offset);
    while (next < queue.length && BigInt(queue[next].firstOffset) <= offset)
      open.add(queue[next++].producerId);
    const producer = r.batchContext.producerId;
    if (r.isControlRecord) {
      if (isAbortMarker(r)) open.delete(producer);
    } else if (r.batchContext.inTransaction && open.has(producer)) {
      out.add(r.offset);
    }
  }
  return out;
}
